/// A goal of the performance issue, and how it is read off the
/// measurements.
public struct BenchTarget: Sendable, Equatable {
    /// How the figure is computed.
    public enum Figure: Sendable, Equatable {
        /// The kernel's time per operation over klpsv's, for one run.
        case speedup(BenchRun)
        /// The store's throughput in each of these runs over the same run
        /// on one thread: the median of those ratios.
        case scaling([BenchRun])
        /// Bytes of bookkeeping per shadow.
        case overhead
    }

    /// What it is, for people.
    public var name: String
    /// How its figure is computed.
    public var figure: Figure
    /// The least figure that meets it, or for `overhead` the most.
    public var goal: Double

    /// The targets of the performance issue, on `plan`'s sizes.
    public static func all(for plan: BenchPlan) -> [BenchTarget] {
        let small = plan.smallest, large = plan.largest
        return [
            BenchTarget(name: "get hit, \(count(small)) live", figure: .speedup(
                BenchRun(.getHit, .klpsv, live: small, ops: plan.ops(small), reps: plan.reps)), goal: 1),
            BenchTarget(name: "get hit, \(count(large)) live", figure: .speedup(
                BenchRun(.getHit, .klpsv, live: large, ops: plan.ops(large), reps: plan.reps)), goal: 50),
            BenchTarget(name: "get miss, \(count(large)) live", figure: .speedup(
                BenchRun(.getMiss, .klpsv, live: large, ops: plan.ops(large), reps: plan.reps)), goal: 50),
            BenchTarget(name: "alloc + free, \(count(large)) live", figure: .speedup(
                BenchRun(.allocFree, .klpsv, live: large, ops: plan.ops(large), reps: plan.reps)), goal: 10),
            BenchTarget(name: "free_all of \(count(plan.freeAllCount)) among \(count(large))", figure: .speedup(
                BenchRun(.freeAll, .klpsv, live: large, ops: plan.freeAllCount, reps: plan.reps)), goal: 100),
            BenchTarget(name: "get throughput, 2 threads / 1",
                        figure: .scaling(plan.threadedRuns(.getHit)), goal: 1.7),
            BenchTarget(name: "alloc/free throughput, 2 threads / 1",
                        figure: .scaling(plan.threadedRuns(.allocFree)), goal: 1.5),
            BenchTarget(name: "bookkeeping bytes per shadow", figure: .overhead, goal: 32),
        ]
    }

    /// `1k`, `1M`: a count for a label.
    static func count(_ value: Int) -> String {
        if value >= 1_000_000 && value % 1_000_000 == 0 { return "\(value / 1_000_000)M" }
        if value >= 1_000 && value % 1_000 == 0 { return "\(value / 1_000)k" }
        return "\(value)"
    }
}

/// A target with its figures.
public struct BenchOutcome: Sendable, Equatable {
    /// The target.
    public var target: BenchTarget
    /// klpsv's figure: ns per operation for a speedup, a throughput ratio
    /// for scaling, bytes for overhead.
    public var klpsv: Double
    /// The kernel's figure, in the same unit.
    public var kernel: Double
    /// The figure compared with the goal: kernel over klpsv for a speedup,
    /// klpsv's own for scaling and overhead.
    public var value: Double

    /// Whether the goal is met.
    public var passed: Bool {
        target.figure == .overhead ? value <= target.goal : value >= target.goal
    }

    /// The median time per operation measured for `run`, in nanoseconds.
    private static func median(of run: BenchRun, in measurements: [BenchMeasurement]) -> Double? {
        measurements.first { $0.run == run }?.medianNanoseconds
    }

    /// The median over `runs` (several threads each) of the throughput of
    /// a run over the same run on one thread, or nil when one is missing.
    public static func scaling(of runs: [BenchRun], measurements: [BenchMeasurement]) -> Double? {
        let median = { (run: BenchRun) in Self.median(of: run, in: measurements) }
        let ratios = runs.compactMap { run -> Double? in
            guard let single = median(run.on(threads: 1)), let many = median(run), many > 0 else { return nil }
            return single / many
        }.sorted()
        guard ratios.count == runs.count, !ratios.isEmpty else { return nil }
        return ratios[ratios.count / 2]
    }

    /// Reads every target of `targets` off `measurements` and `overhead`;
    /// a target whose runs are missing is left out.
    public static func evaluate(_ targets: [BenchTarget], measurements: [BenchMeasurement],
                                overhead: [BenchRun.Store: Int]) -> [BenchOutcome] {
        let median = { (run: BenchRun) in Self.median(of: run, in: measurements) }
        return targets.compactMap { target in
            switch target.figure {
            case .speedup(let run):
                guard let mine = median(run), let theirs = median(run.on(.kernel)), mine > 0 else { return nil }
                return BenchOutcome(target: target, klpsv: mine, kernel: theirs, value: theirs / mine)
            case .scaling(let runs):
                func ratio(_ store: BenchRun.Store) -> Double? {
                    scaling(of: runs.map { $0.on(store) }, measurements: measurements)
                }
                guard let mine = ratio(.klpsv), let theirs = ratio(.kernel) else { return nil }
                return BenchOutcome(target: target, klpsv: mine, kernel: theirs, value: mine)
            case .overhead:
                guard let mine = overhead[.klpsv], let theirs = overhead[.kernel] else { return nil }
                return BenchOutcome(target: target, klpsv: Double(mine), kernel: Double(theirs), value: Double(mine))
            }
        }
    }
}
