/// What the machine gives two CPUs that share nothing, in the boot of a
/// benchmark: the ceiling of its scaling targets.
public struct BenchCeiling: Sendable, Equatable {
    /// Throughput of the `spin` runs on two threads over one, the median
    /// of the rounds, once under each store's label.
    public var ratios: [BenchRun.Store: Double]

    /// The lower of the two.
    public var value: Double { ratios.values.min() ?? 0 }

    /// Reads the ceiling off `plan`'s `spin` runs in `measurements`, or nil
    /// when they are missing.
    public init?(plan: BenchPlan, measurements: [BenchMeasurement]) {
        var ratios: [BenchRun.Store: Double] = [:]
        for store in BenchRun.Store.allCases {
            let runs = plan.threadedRuns(.spin).map { $0.on(store) }
            guard let ratio = BenchOutcome.scaling(of: runs, measurements: measurements) else { return nil }
            ratios[store] = ratio
        }
        self.ratios = ratios
    }

    /// Whether `target`, a scaling target, asks more than the machine gave:
    /// its goal is above the ceiling.
    public func isExceeded(by target: BenchTarget) -> Bool {
        guard case .scaling = target.figure, let goal = target.goal else { return false }
        return goal > value
    }
}
