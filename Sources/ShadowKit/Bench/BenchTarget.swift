/// A goal of the performance and memory issues, and how it is read off
/// the measurements.
public struct BenchTarget: Sendable, Equatable {
    /// How the figure is computed.
    public enum Figure: Sendable, Equatable {
        /// The kernel's time per operation over klpsv's, for one run.
        case speedup(BenchRun)
        /// The store's throughput in each of these runs over the same run
        /// on one thread: the median of those ratios.
        case scaling([BenchRun])
        /// The bytes a shadow takes beyond its data, all in, in klpsv's
        /// hold; the kernel's from the same hold on its store, when the
        /// plan has it.
        case memory(BenchHold)
        /// The share of the memory of klpsv's hold still used a second
        /// after its release; the kernel's likewise.
        case kept(BenchHold)
    }

    /// What it is, for people.
    public var name: String
    /// How its figure is computed.
    public var figure: Figure
    /// The bound on the figure: the least that meets it for a speedup or
    /// scaling, the most for memory; `nil` when only the kernel's figure
    /// bounds it.
    public var goal: Double?
    /// Whether klpsv's figure must also be no worse than the kernel's: at
    /// least its scaling, at most its memory.
    public var matchesKernel: Bool

    /// Creates a target.
    public init(name: String, figure: Figure, goal: Double?, matchesKernel: Bool = false) {
        self.name = name
        self.figure = figure
        self.goal = goal
        self.matchesKernel = matchesKernel
    }

    /// Whether a smaller figure is the better one: memory.
    public var smallerIsBetter: Bool {
        switch figure {
        case .speedup, .scaling: false
        case .memory, .kept: true
        }
    }

    /// The targets of the performance and memory issues, on `plan`'s sizes.
    public static func all(for plan: BenchPlan) -> [BenchTarget] {
        let small = plan.smallest, large = plan.largest
        var targets = [
            BenchTarget(name: "get hit, \(count(small)) live", figure: .speedup(plan.single(.getHit, live: small)),
                        goal: 1),
            BenchTarget(name: "get hit, \(count(large)) live", figure: .speedup(plan.single(.getHit, live: large)),
                        goal: 50),
            BenchTarget(name: "get miss, \(count(large)) live", figure: .speedup(plan.single(.getMiss, live: large)),
                        goal: 50),
        ]
        for live in plan.allocFreeLive.sorted() {
            targets.append(BenchTarget(name: "alloc + free, \(count(live)) live",
                                       figure: .speedup(plan.single(.allocFree, live: live)), goal: 1))
        }
        targets += [
            BenchTarget(name: "alloc + free, \(count(large)) live",
                        figure: .speedup(plan.single(.allocFree, live: large)), goal: 10),
            BenchTarget(name: "free_all of \(count(plan.freeAllCount)) among \(count(large))", figure: .speedup(
                BenchRun(.freeAll, .klpsv, live: large, ops: plan.freeAllCount, reps: plan.reps)), goal: 100),
            BenchTarget(name: "get throughput, 2 threads / 1, \(count(plan.threadedLive)) live",
                        figure: .scaling(plan.threadedRuns(.getHit)), goal: 1.7),
            BenchTarget(name: "alloc/free throughput, 2 threads / 1, \(count(plan.threadedAllocFreeLive)) live",
                        figure: .scaling(plan.threadedRuns(.allocFree)), goal: 1.5, matchesKernel: true),
        ]
        return targets + memory(for: plan)
    }

    /// The memory targets of `plan`'s klpsv holds: no more than the
    /// kernel's below the largest, at most 32 bytes beyond the data at the
    /// largest and after churn, and 1% kept a second after the release of
    /// the largest.
    public static func memory(for plan: BenchPlan) -> [BenchTarget] {
        let holds = plan.memory.filter { $0.store == .klpsv }
        let steady = holds.filter { $0.churn == 0 }
        guard let largest = steady.max(by: { $0.shadows < $1.shadows }) else { return [] }
        var targets: [BenchTarget] = []
        for hold in steady where hold != largest {
            targets.append(BenchTarget(name: "memory beyond data, \(count(hold.live)) live", figure: .memory(hold),
                                       goal: nil, matchesKernel: true))
        }
        targets.append(BenchTarget(name: "memory beyond data, \(count(largest.live)) live",
                                   figure: .memory(largest), goal: 32))
        for hold in holds where hold.churn > 0 {
            targets.append(BenchTarget(name: "memory beyond data, \(count(hold.live)) after churn",
                                       figure: .memory(hold), goal: 32))
        }
        targets.append(BenchTarget(name: "memory kept 1 s after free_all, \(count(largest.live))",
                                   figure: .kept(largest), goal: 0.01))
        return targets
    }

    /// `1k`, `1M`: a count for a label.
    static func count(_ value: Int) -> String {
        if value >= 1_000_000 && value % 1_000_000 == 0 { return "\(value / 1_000_000)M" }
        if value >= 1_000 && value % 1_000 == 0 { return "\(value / 1_000)k" }
        return "\(value)"
    }
}
