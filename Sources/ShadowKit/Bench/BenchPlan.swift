/// The runs of a benchmark: the same inputs, in the same order, for both
/// stores.
public struct BenchPlan: Sendable {
    /// The live-shadow counts of the scaling curves.
    public var scale: [Int]
    /// The live shadows of the multi-thread runs.
    public var threadedLive: Int
    /// Timed repetitions of every run.
    public var reps: Int
    /// Operations per repetition for `live` shadows: enough to time, few
    /// enough that the kernel's store at a million takes a second or so.
    public var ops: @Sendable (Int) -> Int
    /// Operations per thread of the multi-thread runs: long repetitions
    /// (a tenth of a second and more), so that a moment's interruption of
    /// one of two emulated CPUs weighs little.
    public var threadedOps: Int
    /// Shadows freed by one `free_all` call.
    public var freeAllCount: Int

    /// The full benchmark: every target of the performance issue.
    public static let full = BenchPlan(
        scale: [1_000, 10_000, 100_000, 1_000_000], threadedLive: 10_000, reps: 5,
        ops: { live in live >= 1_000_000 ? 10_000 : live >= 100_000 ? 20_000 : 100_000 },
        threadedOps: 1_000_000, freeAllCount: 1_000)

    /// A smoke run for CI: every workload and both stores, small, in seconds.
    public static let smoke = BenchPlan(
        scale: [1_000], threadedLive: 1_000, reps: 3, ops: { _ in 2_000 }, threadedOps: 2_000, freeAllCount: 100)

    /// The largest live count: where the per-size targets are read.
    public var largest: Int { scale.max() ?? 0 }
    /// The smallest live count.
    public var smallest: Int { scale.min() ?? 0 }

    /// Every run, once, klpsv's and the kernel's of one input next to each
    /// other.
    public var runs: [BenchRun] {
        // Small first: freeing a million shadows leaves RCU callbacks and
        // table shrinking behind, which would slow the runs after it. The
        // thread runs come after the smallest, not first: the first run
        // after boot shares the CPUs with the end of the boot.
        var runs: [BenchRun] = []
        func scaling(_ sizes: [Int]) {
            for live in sizes {
                for workload in [BenchRun.Workload.getHit, .getMiss] {
                    runs.append(BenchRun(workload, .klpsv, live: live, ops: ops(live), reps: reps))
                }
            }
        }
        scaling(scale.sorted().filter { $0 <= threadedLive })
        for workload in [BenchRun.Workload.getHit, .allocFree] {
            for threads in [1, 2] {
                runs.append(BenchRun(workload, .klpsv, live: threadedLive, ops: threadedOps, reps: reps,
                                     threads: threads))
            }
        }
        scaling(scale.sorted().filter { $0 > threadedLive })
        runs.append(BenchRun(.allocFree, .klpsv, live: largest, ops: ops(largest), reps: reps))
        runs.append(BenchRun(.freeAll, .klpsv, live: largest, ops: freeAllCount, reps: reps))
        var seen = Set<BenchRun>()
        return runs.filter { seen.insert($0).inserted }.flatMap { [$0, $0.on(.kernel)] }
    }
}
