import ShadowKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The benchmark for people: the targets, the machine's ceiling, then
/// every run.
func benchLines(outcomes: [BenchOutcome], ceiling: BenchCeiling?, measurements: [BenchMeasurement]) -> [String] {
    var targets = TextTable([("target", .left), ("klpsv", .right), ("kernel", .right), ("figure", .right),
                             ("goal", .right), ("result", .left)])
    for outcome in outcomes {
        let (klpsv, kernel, figure, goal): (String, String, String, String)
        switch outcome.target.figure {
        case .speedup:
            (klpsv, kernel) = (nanoseconds(outcome.klpsv), nanoseconds(outcome.kernel))
            (figure, goal) = (times(outcome.value), ">= " + times(outcome.target.goal))
        case .scaling:
            (klpsv, kernel) = (times(outcome.klpsv), times(outcome.kernel))
            (figure, goal) = (times(outcome.value), ">= " + times(outcome.target.goal))
        case .overhead:
            (klpsv, kernel) = ("\(Int(outcome.klpsv)) B", "\(Int(outcome.kernel)) B")
            (figure, goal) = ("\(Int(outcome.value)) B", "<= \(Int(outcome.target.goal)) B")
        }
        let result = outcome.passed ? "pass" : ceiling?.isExceeded(by: outcome.target) == true ? "FAIL (above ceiling)" : "FAIL"
        targets.append([outcome.target.name, klpsv, kernel, figure, goal, result])
    }
    var runs = TextTable([("workload", .left), ("store", .left), ("live", .right), ("ops", .right),
                          ("threads", .right), ("median", .right), ("min", .right), ("max", .right),
                          ("spread", .right)])
    for measurement in measurements {
        let run = measurement.run
        let ops = run.milliseconds > 0 ? "\(run.milliseconds) ms" : "\(run.ops)"
        runs.append([run.workload.rawValue, run.store.rawValue, "\(run.live)", ops, "\(run.threads)",
                     nanoseconds(measurement.medianNanoseconds), nanoseconds(measurement.minNanoseconds),
                     nanoseconds(measurement.maxNanoseconds), percent(measurement.spread)])
    }
    let met = outcomes.filter(\.passed).count
    var lines = targets.lines + ["", "\(met) of \(outcomes.count) targets met"]
    if let ceiling {
        let figures = BenchRun.Store.allCases.compactMap { store in
            ceiling.ratios[store].map { times($0) + " (\(store.rawValue) run)" }
        }
        lines.append("machine's ceiling, 2 threads / 1 of work that shares nothing (spin): "
                     + figures.joined(separator: ", "))
    }
    return lines + ["", "runs (time per operation; \"ms\": time-boxed repetitions):"] + runs.lines
}

private func nanoseconds(_ value: Double) -> String {
    if value >= 1_000_000 { return fixed(value / 1_000_000, 2) + " ms" }
    if value >= 10_000 { return fixed(value / 1_000, 1) + " us" }
    return fixed(value, 1) + " ns"
}

private func times(_ value: Double) -> String {
    fixed(value, value >= 100 ? 0 : value >= 10 ? 1 : 2) + "x"
}

private func percent(_ value: Double) -> String {
    fixed(value * 100, 0) + "%"
}

/// `value` rounded to `digits` decimals, without Foundation's formatter.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int64((abs(value) * scale).rounded())
    let whole = scaled / Int64(scale), fraction = scaled % Int64(scale)
    var text = (value < 0 && scaled != 0 ? "-" : "") + "\(whole)"
    if digits > 0 {
        let digitsText = "\(fraction)"
        text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
    }
    return text
}

/// The benchmark as JSON (`--json`, `--output`, `bench/results.json`).
struct BenchReportJSON: Encodable {
    struct Target: Encodable {
        var name, kind: String
        var klpsv, kernel, value, goal: Double
        var passed: Bool
    }

    struct Run: Encodable {
        var workload, store: String
        var live, ops, reps, threads, milliseconds: Int
        var seed: UInt64
        var medianNs, minNs, maxNs, spread: Double
        var picoseconds: [UInt64]
    }

    var smoke: Bool
    var targets: [Target]
    /// The spin runs' ratio, 2 threads / 1, under each store's label.
    var ceiling: [String: Double]?
    var runs: [Run]
    var overheadBytes: [String: Int]

    init(smoke: Bool, outcomes: [BenchOutcome], ceiling: BenchCeiling?, measurements: [BenchMeasurement],
         overhead: [BenchRun.Store: Int]) {
        self.smoke = smoke
        self.ceiling = ceiling.map { Dictionary(uniqueKeysWithValues: $0.ratios.map { ($0.key.rawValue, $0.value) }) }
        targets = outcomes.map { outcome in
            let kind = switch outcome.target.figure {
            case .speedup: "speedup"
            case .scaling: "scaling"
            case .overhead: "overhead"
            }
            return Target(name: outcome.target.name, kind: kind, klpsv: outcome.klpsv, kernel: outcome.kernel,
                          value: outcome.value, goal: outcome.target.goal, passed: outcome.passed)
        }
        runs = measurements.map { m in
            Run(workload: m.run.workload.rawValue, store: m.run.store.rawValue, live: m.run.live, ops: m.run.ops,
                reps: m.run.reps, threads: m.run.threads, milliseconds: m.run.milliseconds, seed: m.run.seed,
                medianNs: m.medianNanoseconds, minNs: m.minNanoseconds, maxNs: m.maxNanoseconds, spread: m.spread,
                picoseconds: m.picoseconds)
        }
        overheadBytes = Dictionary(uniqueKeysWithValues: overhead.map { ($0.key.rawValue, $0.value) })
    }

    /// Writes the report, pretty-printed, to `path`.
    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure("cannot write \(path): \(error)")
        }
    }
}
