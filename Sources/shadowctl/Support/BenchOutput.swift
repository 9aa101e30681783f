import ShadowKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The benchmark for people: the targets, the machine's ceiling, the
/// memory per shadow, then every run. A target of `targets` with no
/// outcome was not measured, and is named.
func benchLines(targets: [BenchTarget], outcomes: [BenchOutcome], ceiling: BenchCeiling?,
                measurements: [BenchMeasurement], memory: [BenchMemory]) -> [String] {
    var table = TextTable([("target", .left), ("klpsv", .right), ("kernel", .right), ("figure", .right),
                           ("goal", .right), ("result", .left)])
    for outcome in outcomes {
        let (klpsv, kernel, figure, goal) = benchFigures(outcome)
        table.append([outcome.target.name, klpsv, kernel, figure, goal, benchResult(outcome, ceiling: ceiling)])
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
    var lines = table.lines + ["", "\(met) of \(targets.count) targets met"]
    let unmeasured = targets.filter { target in !outcomes.contains { $0.target == target } }
    if !unmeasured.isEmpty {
        lines.append("not measured: " + unmeasured.map(\.name).joined(separator: "; "))
    }
    if let ceiling {
        let figures = BenchRun.Store.allCases.compactMap { store in
            ceiling.ratios[store].map { times($0) + " (\(store.rawValue) run)" }
        }
        lines.append("machine's ceiling, 2 threads / 1 of work that shares nothing (spin): "
                     + figures.joined(separator: ", "))
    }
    if !memory.isEmpty {
        lines += ["", "memory per \(BenchHold.dataBytes)-byte shadow: all in (Slab + VmallocUsed + Percpu, held "
                  + "minus before), and klpsv's own count of its ids (stats):"] + memoryLines(memory)
    }
    return lines + ["", "runs (time per operation; \"ms\": time-boxed repetitions):"] + runs.lines
}

/// The klpsv, kernel, figure and goal cells of `outcome`'s row.
private func benchFigures(_ outcome: BenchOutcome) -> (String, String, String, String) {
    let target = outcome.target
    // How the figures read, and how the goal does (a round number).
    let (format, goalFormat): ((Double) -> String, (Double) -> String)
    switch target.figure {
    case .speedup:
        let goal = target.goal.map { ">= " + times($0) } ?? ">= kernel"
        return (nanoseconds(outcome.klpsv), outcome.kernel.map(nanoseconds) ?? "-", times(outcome.value), goal)
    case .scaling: (format, goalFormat) = (times, times)
    case .memory: (format, goalFormat) = (bytes, { fixed($0, 0) + " B" })
    case .kept: (format, goalFormat) = ({ percent($0, digits: 1) }, { percent($0) })
    }
    let bound = target.smallerIsBetter ? "<= " : ">= "
    let goal = [target.goal.map { bound + goalFormat($0) }, target.matchesKernel ? bound + "kernel" : nil]
        .compactMap { $0 }.joined(separator: ", ")
    return (format(outcome.klpsv), outcome.kernel.map(format) ?? "-", format(outcome.value), goal)
}

/// `pass`, or `FAIL`, with `(above ceiling)` when only a scaling goal above
/// what the machine gave was missed.
private func benchResult(_ outcome: BenchOutcome, ceiling: BenchCeiling?) -> String {
    if outcome.passed { return "pass" }
    if outcome.matchesKernel, ceiling?.isExceeded(by: outcome.target) == true { return "FAIL (above ceiling)" }
    return "FAIL"
}

/// A line per size held: klpsv's and the kernel's all in, and klpsv's own
/// count split into its variables, its table and its pending frees.
private func memoryLines(_ memory: [BenchMemory]) -> [String] {
    var table = TextTable([("held", .left), ("klpsv", .right), ("kernel", .right), ("variables", .right),
                           ("table", .right), ("pending", .right)])
    for mine in memory where mine.hold.store == .klpsv {
        let theirs = memory.first { $0.hold == mine.hold.on(.kernel) }
        let counted = mine.counted.map { [$0.variables, $0.table, $0.pending].map { bytes(mine.perShadow($0)) } }
            ?? ["-", "-", "-"]
        table.append([mine.hold.label, bytes(mine.bytesPerShadow), theirs.map { bytes($0.bytesPerShadow) } ?? "-"]
                     + counted)
    }
    for theirs in memory where theirs.hold.store == .kernel
        && !memory.contains(where: { $0.hold == theirs.hold.on(.klpsv) }) {
        table.append([theirs.hold.label, "-", bytes(theirs.bytesPerShadow), "-", "-", "-"])
    }
    return table.lines
}

private func nanoseconds(_ value: Double) -> String {
    if value >= 1_000_000 { return fixed(value / 1_000_000, 2) + " ms" }
    if value >= 10_000 { return fixed(value / 1_000, 1) + " us" }
    return fixed(value, 1) + " ns"
}

private func times(_ value: Double) -> String {
    fixed(value, value >= 100 ? 0 : value >= 10 ? 1 : 2) + "x"
}

private func percent(_ value: Double, digits: Int = 0) -> String {
    fixed(value * 100, digits) + "%"
}

private func bytes(_ value: Double) -> String {
    fixed(value, 1) + " B"
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

/// The benchmark as JSON (`--json`, `--output`, `bench/results.json`). A
/// figure that is not a number (nothing measured) is left out.
struct BenchReportJSON: Encodable {
    struct Target: Encodable {
        var name, kind: String
        var klpsv, kernel, value, goal: Double?
        /// klpsv's figure must also be no worse than the kernel's.
        var matchesKernel: Bool
        var passed: Bool
    }

    struct Run: Encodable {
        var workload, store: String
        var live, ops, reps, threads, milliseconds: Int
        var seed: UInt64
        var medianNs, minNs, maxNs, spread: Double
        var picoseconds: [UInt64]
    }

    /// A memory measurement: the system's used memory (Slab + VmallocUsed
    /// + Percpu, in bytes) before, while held and after the release, the
    /// figures read off it, and klpsv's own count of its held ids.
    struct Memory: Encodable {
        var store: String
        var live, ids, churn, shadows: Int
        var baselineBytes, heldBytes, afterBytes: UInt64
        var bytesPerShadow, beyondDataPerShadow, keptFraction: Double?
        var variableBytes, tableBytes, pendingBytes: UInt64?
    }

    var smoke: Bool
    var targets: [Target]
    /// The spin runs' ratio, 2 threads / 1, under each store's label.
    var ceiling: [String: Double]?
    var runs: [Run]
    var memory: [Memory]

    init(smoke: Bool, outcomes: [BenchOutcome], ceiling: BenchCeiling?, measurements: [BenchMeasurement],
         memory: [BenchMemory]) {
        self.smoke = smoke
        self.ceiling = ceiling.map { Dictionary(uniqueKeysWithValues: $0.ratios.map { ($0.key.rawValue, $0.value) }) }
        targets = outcomes.map { outcome in
            let kind = switch outcome.target.figure {
            case .speedup: "speedup"
            case .scaling: "scaling"
            case .memory: "memory"
            case .kept: "kept"
            }
            return Target(name: outcome.target.name, kind: kind, klpsv: number(outcome.klpsv),
                          kernel: outcome.kernel.flatMap(number), value: number(outcome.value),
                          goal: outcome.target.goal, matchesKernel: outcome.target.matchesKernel,
                          passed: outcome.passed)
        }
        runs = measurements.map { m in
            Run(workload: m.run.workload.rawValue, store: m.run.store.rawValue, live: m.run.live, ops: m.run.ops,
                reps: m.run.reps, threads: m.run.threads, milliseconds: m.run.milliseconds, seed: m.run.seed,
                medianNs: m.medianNanoseconds, minNs: m.minNanoseconds, maxNs: m.maxNanoseconds, spread: m.spread,
                picoseconds: m.picoseconds)
        }
        self.memory = memory.map { m in
            Memory(store: m.hold.store.rawValue, live: m.hold.live, ids: m.hold.ids, churn: m.hold.churn,
                   shadows: m.hold.shadows, baselineBytes: m.baseline.used, heldBytes: m.held.used,
                   afterBytes: m.after.used, bytesPerShadow: number(m.bytesPerShadow),
                   beyondDataPerShadow: number(m.beyondDataPerShadow), keptFraction: number(m.keptFraction),
                   variableBytes: m.counted?.variables, tableBytes: m.counted?.table, pendingBytes: m.counted?.pending)
        }
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

/// `value`, or `nil` when it is not a finite number, which JSON cannot hold.
private func number(_ value: Double) -> Double? {
    value.isFinite ? value : nil
}
