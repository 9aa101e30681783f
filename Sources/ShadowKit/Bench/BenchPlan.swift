/// The runs of a benchmark: the same inputs, in the same order, for both
/// stores.
public struct BenchPlan: Sendable {
    /// The live-shadow counts of the scaling curves.
    public var scale: [Int]
    /// The live shadows of the multi-thread runs.
    public var threadedLive: Int
    /// Timed repetitions of every run.
    public var reps: Int
    /// Operations per repetition for `live` shadows: enough that a
    /// repetition of klpsv's lasts tens of milliseconds at every size (the
    /// kernel's store at a million takes seconds).
    public var ops: @Sendable (Int) -> Int
    /// The access order of each thread of the thread runs, gone round.
    public var threadedOps: Int
    /// How long a repetition of a thread run lasts: time-boxed, so that a
    /// thread slowed by something else on its CPU does less work instead of
    /// keeping the repetition open while the other idles.
    public var threadedMilliseconds: Int
    /// Rounds of the thread runs, each one thread then two, with a seed of
    /// its own: a throughput ratio is read off each round, and the median
    /// taken, so that the host's load drifting over the seconds between
    /// two runs weighs little.
    public var threadedRounds: Int
    /// Shadows freed by one `free_all` call.
    public var freeAllCount: Int

    /// The full benchmark: every target of the performance issue.
    public static let full = BenchPlan(
        scale: [1_000, 10_000, 100_000, 1_000_000], threadedLive: 10_000, reps: 5,
        ops: { _ in 100_000 }, threadedOps: 100_000, threadedMilliseconds: 300, threadedRounds: 7,
        freeAllCount: 1_000)

    /// A smoke run for CI: every workload and both stores, small, in seconds.
    public static let smoke = BenchPlan(
        scale: [1_000], threadedLive: 1_000, reps: 3, ops: { _ in 2_000 }, threadedOps: 2_000,
        threadedMilliseconds: 20, threadedRounds: 2, freeAllCount: 100)

    /// The thread run of `workload` on `threads` threads in `round`
    /// (1 to `threadedRounds`), on klpsv.
    public func threaded(_ workload: BenchRun.Workload, threads: Int, round: Int) -> BenchRun {
        BenchRun(workload, .klpsv, live: threadedLive, ops: threadedOps, reps: reps, threads: threads,
                 milliseconds: threadedMilliseconds, seed: UInt64(round))
    }

    /// The two-thread runs of `workload`, one per round.
    public func threadedRuns(_ workload: BenchRun.Workload) -> [BenchRun] {
        (1...max(threadedRounds, 1)).map { threaded(workload, threads: 2, round: $0) }
    }

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
        for round in 1...max(threadedRounds, 1) {
            for workload in [BenchRun.Workload.getHit, .allocFree, .spin] {
                for threads in [1, 2] {
                    runs.append(threaded(workload, threads: threads, round: round))
                }
            }
        }
        scaling(scale.sorted().filter { $0 > threadedLive })
        runs.append(BenchRun(.allocFree, .klpsv, live: largest, ops: ops(largest), reps: reps))
        runs.append(BenchRun(.freeAll, .klpsv, live: largest, ops: freeAllCount, reps: reps))
        var seen = Set<BenchRun>()
        return runs.filter { seen.insert($0).inserted }.flatMap { [$0, $0.on(.kernel)] }
    }
}
