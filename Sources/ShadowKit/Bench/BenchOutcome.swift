/// A target with its figures.
public struct BenchOutcome: Sendable, Equatable {
    /// The target.
    public var target: BenchTarget
    /// klpsv's figure: ns per operation for a speedup, a throughput ratio
    /// for scaling, bytes per shadow for memory, a share for kept memory.
    public var klpsv: Double
    /// The kernel's figure, in the same unit; `nil` when the plan does not
    /// measure it (the kernel's store has no churn).
    public var kernel: Double?
    /// The figure compared with the goal: kernel over klpsv for a speedup,
    /// klpsv's own otherwise.
    public var value: Double

    /// Creates an outcome.
    public init(target: BenchTarget, klpsv: Double, kernel: Double?, value: Double) {
        self.target = target
        self.klpsv = klpsv
        self.kernel = kernel
        self.value = value
    }

    /// Whether the figure meets the goal's bound (a NaN figure does not).
    public var meetsGoal: Bool {
        guard let goal = target.goal else { return !value.isNaN }
        return target.smallerIsBetter ? value <= goal : value >= goal
    }

    /// Whether klpsv's figure is no worse than the kernel's, where the
    /// target asks it.
    public var matchesKernel: Bool {
        guard target.matchesKernel else { return true }
        guard let kernel else { return false }
        switch target.figure {
        case .speedup: return value >= 1
        case .scaling: return klpsv >= kernel
        case .memory, .kept: return klpsv <= kernel
        }
    }

    /// Whether the target is met.
    public var passed: Bool { meetsGoal && matchesKernel }

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

    /// Reads every target of `targets` off `measurements` and `memory`; a
    /// target whose runs or holds are missing is left out (the kernel's
    /// hold only where the target compares with it).
    public static func evaluate(_ targets: [BenchTarget], measurements: [BenchMeasurement],
                                memory: [BenchMemory] = []) -> [BenchOutcome] {
        let median = { (run: BenchRun) in Self.median(of: run, in: measurements) }
        let held = { (hold: BenchHold) in memory.first { $0.hold == hold } }
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
            case .memory(let hold), .kept(let hold):
                let figure: (BenchMemory) -> Double = if case .kept = target.figure {
                    { $0.keptFraction }
                } else {
                    { $0.beyondDataPerShadow }
                }
                guard let mine = held(hold).map(figure) else { return nil }
                let theirs = held(hold.on(.kernel)).map(figure)
                if target.matchesKernel && theirs == nil { return nil }
                return BenchOutcome(target: target, klpsv: mine, kernel: theirs, value: mine)
            }
        }
    }
}
