/// The runs of a benchmark: the same inputs, in the same order, for both
/// stores.
public struct BenchPlan: Sendable {
    /// One thing the benchmark does, in order.
    public enum Step: Sendable, Equatable {
        /// A timing run.
        case run(BenchRun)
        /// A memory measurement.
        case hold(BenchHold)

        /// What it writes to `klpsv_bench/ctl` first, for progress lines.
        public var command: String {
            switch self {
            case .run(let run): run.command
            case .hold(let hold): hold.command
            }
        }
    }

    /// The live-shadow counts of the scaling curves.
    public var scale: [Int]
    /// The live shadows of the one-thread `alloc` + `free` runs held to
    /// the kernel's speed (the largest of ``scale`` has its own, higher,
    /// goal).
    public var allocFreeLive: [Int]
    /// The live shadows of the multi-thread `get` and `spin` runs.
    public var threadedLive: Int
    /// The live shadows of the multi-thread `alloc` + `free` runs.
    public var threadedAllocFreeLive: Int
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
    /// The memory measurements, in the order they are made: klpsv's hold
    /// of each size, then the kernel's, smallest first. The kernel's store
    /// has no hold with churn (an `alloc` + `free` pair at a million takes
    /// it tens of microseconds under emulation).
    public var memory: [BenchHold]
    /// The wait for a quiet machine before the first timed run, or `nil`
    /// for none.
    public var quiet: BenchQuiet?

    /// The full benchmark: every target of the performance and memory
    /// issues. Memory at 1,000 live is held in 64 ids, 1,000 shadows each,
    /// so that it rises above the noise of a few pages; klpsv's hold with
    /// churn comes before the kernel's million, whose frees take longest.
    public static let full = BenchPlan(
        scale: [1_000, 10_000, 100_000, 1_000_000], allocFreeLive: [1_000, 10_000], threadedLive: 10_000,
        threadedAllocFreeLive: 100_000, reps: 5, ops: { _ in 100_000 }, threadedOps: 100_000,
        threadedMilliseconds: 300, threadedRounds: 7, freeAllCount: 1_000,
        memory: [
            BenchHold(.klpsv, live: 1_000, ids: 64), BenchHold(.kernel, live: 1_000, ids: 64),
            BenchHold(.klpsv, live: 100_000), BenchHold(.kernel, live: 100_000),
            BenchHold(.klpsv, live: 1_000_000), BenchHold(.klpsv, live: 1_000_000, churn: 1_000_000),
            BenchHold(.kernel, live: 1_000_000),
        ],
        // Half a second of spin on both CPUs a try, for 90 s at most: the
        // noise after boot lasted about a minute in one measured boot.
        quiet: BenchQuiet(probe: BenchRun(.spin, .klpsv, live: 1_000, ops: 100_000, reps: 5, threads: 2,
                                          milliseconds: 100),
                          maxWait: .seconds(90), tolerance: 0.2))

    /// A smoke run for CI: every workload and both stores, small, in seconds.
    /// Its holds are 20,000 shadows: a thousand (some 50 KB) can fit in
    /// what the slab caches kept from the runs before, and then nothing is
    /// seen held.
    public static let smoke = BenchPlan(
        scale: [1_000], allocFreeLive: [1_000], threadedLive: 1_000, threadedAllocFreeLive: 1_000, reps: 3,
        ops: { _ in 2_000 }, threadedOps: 2_000, threadedMilliseconds: 20, threadedRounds: 2, freeAllCount: 100,
        memory: [BenchHold(.klpsv, live: 20_000), BenchHold(.kernel, live: 20_000)], quiet: nil)

    /// The thread run of `workload` on `threads` threads in `round`
    /// (1 to `threadedRounds`), on klpsv.
    public func threaded(_ workload: BenchRun.Workload, threads: Int, round: Int) -> BenchRun {
        let live = workload == .allocFree ? threadedAllocFreeLive : threadedLive
        return BenchRun(workload, .klpsv, live: live, ops: threadedOps, reps: reps, threads: threads,
                        milliseconds: threadedMilliseconds, seed: UInt64(round))
    }

    /// The two-thread runs of `workload`, one per round.
    public func threadedRuns(_ workload: BenchRun.Workload) -> [BenchRun] {
        (1...max(threadedRounds, 1)).map { threaded(workload, threads: 2, round: $0) }
    }

    /// The one-thread run of `workload` on klpsv with `live` shadows.
    public func single(_ workload: BenchRun.Workload, live: Int) -> BenchRun {
        BenchRun(workload, .klpsv, live: live, ops: ops(live), reps: reps)
    }

    /// The largest live count: where the per-size targets are read.
    public var largest: Int { scale.max() ?? 0 }
    /// The smallest live count.
    public var smallest: Int { scale.min() ?? 0 }

    /// Every timing run, once, klpsv's and the kernel's of one input next
    /// to each other.
    public var runs: [BenchRun] {
        // Small first: freeing a million shadows leaves RCU callbacks and
        // table shrinking behind, which would slow the runs after it. The
        // thread runs come after the smallest, not first: the first run
        // after boot shares the CPUs with the end of the boot.
        var runs: [BenchRun] = []
        func oneThread(_ sizes: [Int]) {
            for live in sizes {
                if scale.contains(live) {
                    runs += [single(.getHit, live: live), single(.getMiss, live: live)]
                }
                if allocFreeLive.contains(live) { runs.append(single(.allocFree, live: live)) }
            }
        }
        let sizes = Set(scale + allocFreeLive).sorted()
        oneThread(sizes.filter { $0 <= threadedLive })
        for round in 1...max(threadedRounds, 1) {
            for workload in [BenchRun.Workload.getHit, .allocFree, .spin] {
                for threads in [1, 2] {
                    runs.append(threaded(workload, threads: threads, round: round))
                }
            }
        }
        oneThread(sizes.filter { $0 > threadedLive })
        runs.append(single(.allocFree, live: largest))
        runs.append(BenchRun(.freeAll, .klpsv, live: largest, ops: freeAllCount, reps: reps))
        var seen = Set<BenchRun>()
        return runs.filter { seen.insert($0).inserted }.flatMap { [$0, $0.on(.kernel)] }
    }

    /// Everything, in order: the timing runs, then the memory
    /// measurements, which wait for what came before to settle and so see
    /// no deferred frees of the runs.
    public var steps: [Step] {
        runs.map(Step.run) + memory.map(Step.hold)
    }
}
