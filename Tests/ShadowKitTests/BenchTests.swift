import ShadowKit
import SystemPackage
import Testing

@Suite("benchmark client")
struct BenchTests {
    static let run = BenchRun(.getHit, .klpsv, live: 1000, ops: 500, reps: 3)
    static let line = "get_hit klpsv live=1000 ops=500 reps=3 threads=1 ms=0 seed=1 "
        + "median_ps=2000 min_ps=1000 max_ps=5000 ps=1000,2000,5000\n"

    @Test func aRunIsOneCommandLine() {
        #expect(BenchRun(.allocFree, .klpsv, live: 10, ops: 20, reps: 3, threads: 2, milliseconds: 300).command
            == "alloc_free klpsv live=10 ops=20 reps=3 threads=2 ms=300 seed=1")
        #expect(Self.run.command == "get_hit klpsv live=1000 ops=500 reps=3 threads=1 ms=0 seed=1")
        #expect(BenchRun(.freeAll, .kernel, live: 7, ops: 2, reps: 1, threads: 1, seed: 9).command
            == "free_all kernel live=7 ops=2 reps=1 threads=1 ms=0 seed=9")
    }

    @Test func parsesAMeasurement() throws {
        let measurement = try BenchMeasurement(parsing: Self.line, of: Self.run, source: "ctl")
        #expect(measurement.picoseconds == [1000, 2000, 5000])
        #expect(measurement.medianNanoseconds == 2)
        #expect(measurement.minNanoseconds == 1)
        #expect(measurement.maxNanoseconds == 5)
        #expect(measurement.spread == 2)
        #expect(measurement.throughput == 5e8)
    }

    @Test("malformed results are refused", arguments: [
        "get_hit kernel live=1000 ops=500 reps=3 threads=1 ms=0 seed=1 median_ps=2 min_ps=1 max_ps=3 ps=1,2,3",
        "get_hit klpsv live=1000 ops=500 reps=3 threads=1 ms=0 seed=1 median_ps=2 min_ps=1 max_ps=3 ps=1,2",
        "get_hit klpsv live=1000 ops=500 reps=3 threads=1 ms=0 seed=1 median_ps=2 min_ps=1 max_ps=3 ps=3,2,1",
        "get_hit klpsv live=1000 ops=500 reps=3 threads=1 ms=0 seed=1 median_ps=3 min_ps=1 max_ps=3 ps=1,2,3",
        "get_hit klpsv live=1000 ops=500 reps=3 threads=1 ms=0 seed=1 median_ps=2 garbage ps=1,2,3",
        "",
    ])
    func refusesMalformedResults(_ text: String) {
        #expect(throws: MalformedOutput.self) { try BenchMeasurement(parsing: text, of: Self.run, source: "ctl") }
    }

    @Test func measuresThroughTheControlFile() throws {
        let channel = FakeChannel(reply: Self.line)
        let bench = KlpsvBench(debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false)) { path in
            #expect(path == "/dbg/klpsv_bench/ctl")
            return channel
        }
        #expect(try bench.measure(Self.run).picoseconds == [1000, 2000, 5000])
        #expect(channel.written == [Self.run.command + "\n"])
    }

    @Test func explainsARefusedRun() {
        let bench = KlpsvBench(debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false)) { _ in
            FakeChannel { _ in .failure(.resourceBusy) }
        }
        let error = #expect(throws: BenchError.self) { try bench.measure(Self.run) }
        #expect(error?.description.contains("another benchmark run is in progress") == true)
    }

    @Test func explainsARefusedCommand() {
        let busy = BenchError(command: "hold klpsv live=1 ids=1 churn=0", path: "/dbg/klpsv_bench/ctl",
                              errno: .resourceBusy)
        #expect(busy.description == "benchmark command 'hold klpsv live=1 ids=1 churn=0': klpsv_bench holds shadows "
            + "already")
        let nothing = BenchError(command: "release kernel", path: "/dbg/klpsv_bench/ctl", errno: .invalidArgument)
        #expect(nothing.description == "benchmark command 'release kernel': nothing is held on that store")
        let malformed = BenchError(run: Self.run, path: "/dbg/klpsv_bench/ctl", errno: .invalidArgument)
        #expect(malformed.description.hasSuffix("refused as malformed (Invalid argument)"))
        let gone = BenchError(run: Self.run, path: "/dbg/klpsv_bench/ctl", errno: .noSuchFileOrDirectory)
        #expect(gone.description.hasSuffix(": no /dbg/klpsv_bench/ctl: is klpsv_bench loaded?"))
        #expect(gone.exitStatus == .unavailable)
        let root = BenchError(command: nil, path: MemInfo.refreshPath, errno: .permissionDenied)
        #expect(root.description == "cannot access /proc/sys/vm/stat_refresh: Permission denied (are you root?)")
        #expect(root.exitStatus == .permission)
    }

    @Test func aHoldIsOneCommandLineAndItsResultIsChecked() throws {
        let hold = BenchHold(.klpsv, live: 1_000, ids: 64)
        #expect(hold.command == "hold klpsv live=1000 ids=64 churn=0")
        #expect(hold.releaseCommand == "release klpsv")
        #expect(hold.shadows == 64_000)
        #expect(hold.shadowIDs.count == 64)
        #expect(hold.shadowIDs.first == 1_802_268_928 && hold.shadowIDs.last == 1_802_268_928 + 63)
        #expect(BenchHold(.kernel, live: 1_000_000, churn: 1_000_000).command
            == "hold kernel live=1000000 ids=1 churn=1000000")
        #expect(hold.label == "1k live x 64 ids")
        #expect(BenchHold(.klpsv, live: 1_000_000, churn: 1_000_000).label == "1M live, after 1M alloc + free")
        #expect(BenchHold(.klpsv, live: 100_000).label == "100k live")
        #expect(hold.on(.kernel).command == "hold kernel live=1000 ids=64 churn=0")

        try hold.checkHeld("hold klpsv live=1000 ids=64 churn=0 shadows=64000\n", source: "ctl")
        try hold.checkReleased("release klpsv shadows=64000\n", source: "ctl")
        for wrong in ["hold klpsv live=1000 ids=64 churn=0 shadows=1000", "hold kernel live=1000 ids=64 churn=0 "
                      + "shadows=64000", "hold klpsv live=1000 ids=64 churn=0", "",
                      "hold klpsv live=1000 ids=64 churn=0 shadows=64000 extra=1"] {
            #expect(throws: MalformedOutput.self) { try hold.checkHeld(wrong, source: "ctl") }
        }
        for wrong in ["release klpsv shadows=1000", "release kernel shadows=64000", "release klpsv"] {
            #expect(throws: MalformedOutput.self) { try hold.checkReleased(wrong, source: "ctl") }
        }
    }

    @Test func holdsAndReleasesThroughTheControlFile() throws {
        let hold = BenchHold(.kernel, live: 10, ids: 2, churn: 5)
        let channel = FakeChannel { line in
            switch line {
            case hold.command: .success(hold.command + " shadows=20\n")
            case hold.releaseCommand: .success("release kernel shadows=20\n")
            default: .failure(.invalidArgument)
            }
        }
        let bench = KlpsvBench(debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false)) { _ in channel }
        try bench.hold(hold)
        try bench.release(hold)
        #expect(channel.written == ["hold kernel live=10 ids=2 churn=5\n", "release kernel\n"])
        let error = #expect(throws: BenchError.self) { try bench.release(hold.on(.klpsv)) }
        #expect(error?.command == "release klpsv")
        #expect(error?.errno == .invalidArgument)
    }

    @Test func thePlanPairsEveryRunWithTheKernelsOnce() {
        for plan in [BenchPlan.full, .smoke] {
            let runs = plan.runs
            #expect(Set(runs).count == runs.count, "no run twice")
            for pair in stride(from: 0, to: runs.count, by: 2) {
                #expect(runs[pair].store == .klpsv)
                #expect(runs[pair + 1] == runs[pair].on(.kernel))
            }
        }
        #expect(BenchPlan.full.runs.contains(BenchRun(.getMiss, .kernel, live: 1_000_000, ops: 100_000)))
        let threaded = BenchPlan.full.runs.filter { $0.threads == 2 }
        #expect(threaded.count == 6 * BenchPlan.full.threadedRounds,
                "get, alloc/free and the spin of the ceiling, both stores, each round")
        #expect(Set(threaded.map(\.seed)).count == BenchPlan.full.threadedRounds, "a seed per round")
        for run in threaded {
            #expect(run.milliseconds > 0, "thread runs are time-boxed")
            #expect(BenchPlan.full.runs.contains(run.on(threads: 1)))
            #expect(run.live == (run.workload == .allocFree ? 100_000 : 10_000),
                    "alloc/free scales at 100k live, get and spin at 10k")
        }
    }

    @Test func thePlanTimesOneThreadAllocAndFreeAtEverySizeOfATarget() {
        let oneThread = BenchPlan.full.runs.filter { $0.workload == .allocFree && $0.milliseconds == 0 }
        #expect(oneThread.map(\.live) == [1_000, 1_000, 10_000, 10_000, 1_000_000, 1_000_000])
        #expect(oneThread.allSatisfy { $0.threads == 1 && $0.ops == 100_000 })
        let smoke = BenchPlan.smoke.runs.filter { $0.workload == .allocFree && $0.milliseconds == 0 }
        #expect(smoke.map(\.live) == [1_000, 1_000], "the 1k run is also the largest's")
    }

    @Test func theMemoryIsHeldSmallestFirstKlpsvFirstAndAfterTheRuns() {
        let plan = BenchPlan.full
        #expect(plan.memory == [
            BenchHold(.klpsv, live: 1_000, ids: 64), BenchHold(.kernel, live: 1_000, ids: 64),
            BenchHold(.klpsv, live: 100_000), BenchHold(.kernel, live: 100_000),
            BenchHold(.klpsv, live: 1_000_000), BenchHold(.klpsv, live: 1_000_000, churn: 1_000_000),
            BenchHold(.kernel, live: 1_000_000),
        ])
        #expect(plan.memory.filter { $0.store == .kernel && $0.live == 1_000_000 }.count == 1,
                "one fill of the kernel's store at a million")
        #expect(!plan.memory.contains { $0.store == .kernel && $0.churn > 0 }, "no churn on the kernel's store")
        #expect(plan.steps == plan.runs.map(BenchPlan.Step.run) + plan.memory.map(BenchPlan.Step.hold))
        #expect(plan.steps.last?.command == "hold kernel live=1000000 ids=1 churn=0")
        #expect(BenchPlan.smoke.memory == [BenchHold(.klpsv, live: 20_000), BenchHold(.kernel, live: 20_000)])
    }

    @Test func theTargetsOfTheFullPlan() {
        let targets = BenchTarget.all(for: .full)
        #expect(targets.map(\.name) == [
            "get hit, 1k live", "get hit, 1M live", "get miss, 1M live", "alloc + free, 1k live",
            "alloc + free, 10k live", "alloc + free, 1M live", "free_all of 1k among 1M",
            "get throughput, 2 threads / 1, 10k live", "alloc/free throughput, 2 threads / 1, 100k live",
            "memory beyond data, 1k live", "memory beyond data, 100k live", "memory beyond data, 1M live",
            "memory beyond data, 1M after churn", "memory kept 1 s after free_all, 1M",
        ])
        #expect(targets.map(\.goal) == [1, 50, 50, 1, 1, 10, 100, 1.7, 1.5, nil, nil, 32, 32, 0.01])
        #expect(targets.filter(\.matchesKernel).map(\.name) == [
            "alloc/free throughput, 2 threads / 1, 100k live", "memory beyond data, 1k live",
            "memory beyond data, 100k live",
        ])
        #expect(targets[9].figure == .memory(BenchHold(.klpsv, live: 1_000, ids: 64)))
        #expect(targets[12].figure == .memory(BenchHold(.klpsv, live: 1_000_000, churn: 1_000_000)))
        #expect(targets[13].figure == .kept(BenchHold(.klpsv, live: 1_000_000)))
        #expect(targets[13].smallerIsBetter && !targets[8].smallerIsBetter)
        let smoke = BenchTarget.all(for: .smoke)
        #expect(smoke.suffix(2).map(\.name) == [
            "memory beyond data, 20k live", "memory kept 1 s after free_all, 20k",
        ])
    }

    /// klpsv twice as fast as the kernel; two threads take half the time
    /// per operation on both stores.
    static func measurements(of plan: BenchPlan) -> [BenchMeasurement] {
        plan.runs.map { run in
            let base: UInt64 = run.store == .klpsv ? 1000 : 2000
            let time = run.threads == 2 ? base / 2 : base
            return BenchMeasurement(run: run, picoseconds: Array(repeating: time, count: run.reps))
        }
    }

    /// `hold` measured as taking `perShadow` bytes a shadow all in, and
    /// keeping `kept` of them a second after the release, on top of 100 MiB.
    static func memory(_ hold: BenchHold, perShadow: Double, kept: Double = 0) -> BenchMemory {
        let base: UInt64 = 100 << 20
        let held = UInt64(perShadow * Double(hold.shadows))
        let info = { (used: UInt64) in MemInfo(slab: used, vmallocUsed: 0, percpu: 0) }
        return BenchMemory(hold: hold, baseline: info(base), held: info(base + held),
                           after: info(base + UInt64(kept * Double(held))))
    }

    @Test func everyTargetIsReadOffTheRuns() {
        let plan = BenchPlan.smoke
        let memory = [Self.memory(plan.memory[0], perShadow: 40), Self.memory(plan.memory[1], perShadow: 64)]
        let outcomes = BenchOutcome.evaluate(BenchTarget.all(for: plan), measurements: Self.measurements(of: plan),
                                             memory: memory)
        #expect(outcomes.count == BenchTarget.all(for: plan).count)
        #expect(outcomes.count == 10)
        #expect(outcomes[0].value == 2)
        #expect(outcomes[0].passed, "2x >= 1x")
        #expect(!outcomes[1].passed, "2x < 50x")
        let allocFree = outcomes.filter { $0.target.name == "alloc + free, 1k live" }
        #expect(allocFree.map(\.passed) == [true, false], "2x: >= 1x, < 10x")
        #expect(outcomes[7].value == 2)
        #expect(outcomes[7].passed, "2x >= 1.5x and the kernel's 2x")
        #expect(outcomes[8].klpsv == 32 && outcomes[8].kernel == 56)
        #expect(outcomes[8].passed, "32 B <= 32 B")
        #expect(outcomes[9].value == 0 && outcomes[9].passed, "nothing kept")
        #expect(BenchOutcome.evaluate(BenchTarget.all(for: plan), measurements: []).isEmpty)
    }

    @Test func theMemoryTargetsAreReadOffTheHolds() throws {
        let plan = BenchPlan.full
        let targets = BenchTarget.memory(for: plan)
        let memory = [
            Self.memory(plan.memory[0], perShadow: 60), Self.memory(plan.memory[1], perShadow: 64),
            Self.memory(plan.memory[2], perShadow: 72), Self.memory(plan.memory[3], perShadow: 64),
            Self.memory(plan.memory[4], perShadow: 40, kept: 0.004), Self.memory(plan.memory[5], perShadow: 41),
            Self.memory(plan.memory[6], perShadow: 64, kept: 0.5),
        ]
        let outcomes = BenchOutcome.evaluate(targets, measurements: [], memory: memory)
        #expect(outcomes.map(\.target.name) == [
            "memory beyond data, 1k live", "memory beyond data, 100k live", "memory beyond data, 1M live",
            "memory beyond data, 1M after churn", "memory kept 1 s after free_all, 1M",
        ])
        #expect(outcomes.map(\.klpsv) == [52, 64, 32, 33, 0.004])
        #expect(outcomes.map(\.kernel) == [56, 56, 56, nil, 0.5], "the kernel's store has no churn")
        #expect(outcomes.map(\.passed) == [true, false, true, false, true],
                "52 <= 56; 64 > 56; 32 <= 32; 33 > 32; 0.4% <= 1%")
        #expect(outcomes[1].meetsGoal && !outcomes[1].matchesKernel, "no bound but the kernel's")

        let withoutKernel = BenchOutcome.evaluate(targets, measurements: [],
                                                  memory: memory.filter { $0.hold.store == .klpsv })
        #expect(withoutKernel.map(\.target.name) == [
            "memory beyond data, 1M live", "memory beyond data, 1M after churn", "memory kept 1 s after free_all, 1M",
        ], "a target that compares with the kernel needs its hold")

        let nothing = BenchMemory(hold: plan.memory[4], baseline: MemInfo(slab: 5, vmallocUsed: 0, percpu: 0),
                                  held: MemInfo(slab: 5, vmallocUsed: 0, percpu: 0),
                                  after: MemInfo(slab: 5, vmallocUsed: 0, percpu: 0))
        let broken = BenchOutcome.evaluate(targets, measurements: [], memory: [nothing])
        #expect(broken.count == 2, "1M and kept: the others need holds that are missing")
        #expect(broken.allSatisfy { !$0.passed }, "nothing seen held: no figure, every target missed")
    }

    @Test func theAllocFreeScalingMustAlsoMatchTheKernels() throws {
        let plan = BenchPlan.full
        let target = try #require(BenchTarget.all(for: plan).first { $0.name.hasPrefix("alloc/free throughput") })
        func outcome(klpsv: UInt64, kernel: UInt64) throws -> BenchOutcome {
            var measurements: [BenchMeasurement] = []
            for round in 1...plan.threadedRounds {
                let run = plan.threaded(.allocFree, threads: 2, round: round)
                measurements += [
                    BenchMeasurement(run: run.on(threads: 1), picoseconds: [1000]),
                    BenchMeasurement(run: run, picoseconds: [klpsv]),
                    BenchMeasurement(run: run.on(.kernel).on(threads: 1), picoseconds: [1000]),
                    BenchMeasurement(run: run.on(.kernel), picoseconds: [kernel]),
                ]
            }
            return try #require(BenchOutcome.evaluate([target], measurements: measurements).first)
        }
        let both = try outcome(klpsv: 500, kernel: 625)
        #expect(both.passed, "2x: >= 1.5x and >= the kernel's 1.6x")
        let belowKernel = try outcome(klpsv: 625, kernel: 500)
        #expect(belowKernel.meetsGoal && !belowKernel.matchesKernel && !belowKernel.passed, "1.6x < the kernel's 2x")
        let belowGoal = try outcome(klpsv: 800, kernel: 1000)
        #expect(!belowGoal.meetsGoal && belowGoal.matchesKernel && !belowGoal.passed, "1.25x < 1.5x")
    }

    @Test func theCeilingIsTheSpinRunsRatioAndMarksTargetsAboveIt() throws {
        let plan = BenchPlan.full
        var measurements: [BenchMeasurement] = []
        for round in 1...plan.threadedRounds {
            let run = plan.threaded(.spin, threads: 2, round: round)
            // Two threads give 1.25x under the klpsv label, 1.6x under the kernel's.
            measurements += [
                BenchMeasurement(run: run.on(threads: 1), picoseconds: [1000]),
                BenchMeasurement(run: run, picoseconds: [800]),
                BenchMeasurement(run: run.on(.kernel).on(threads: 1), picoseconds: [1000]),
                BenchMeasurement(run: run.on(.kernel), picoseconds: [625]),
            ]
        }
        let ceiling = try #require(BenchCeiling(plan: plan, measurements: measurements))
        #expect(ceiling.ratios == [.klpsv: 1.25, .kernel: 1.6])
        #expect(ceiling.value == 1.25)
        let targets = BenchTarget.all(for: plan)
        let scaling = try #require(targets.first { $0.name.hasPrefix("get throughput") })
        #expect(ceiling.isExceeded(by: scaling), "1.7x asked of a machine that gave 1.25x")
        #expect(!ceiling.isExceeded(by: targets[0]), "only scaling targets have a ceiling")
        var modest = scaling
        modest.goal = 1.2
        #expect(!ceiling.isExceeded(by: modest))
        #expect(BenchCeiling(plan: plan, measurements: Array(measurements.dropLast())) == nil,
                "a round missing a run: no ceiling")
    }

    @Test func aThroughputRatioIsTheMedianOfItsRounds() throws {
        let plan = BenchPlan.full
        let target = try #require(BenchTarget.all(for: plan).first { $0.name.hasPrefix("alloc/free throughput") })
        // klpsv's two-thread time per operation in each round, against 1000 ps on one thread.
        let twoThreads: [UInt64] = [1000, 500, 560, 520, 800, 1100, 540]
        try #require(twoThreads.count == plan.threadedRounds)
        var measurements: [BenchMeasurement] = []
        for (index, time) in twoThreads.enumerated() {
            let run = plan.threaded(.allocFree, threads: 2, round: index + 1)
            measurements += [
                BenchMeasurement(run: run.on(threads: 1), picoseconds: [1000]),
                BenchMeasurement(run: run, picoseconds: [time]),
                BenchMeasurement(run: run.on(.kernel).on(threads: 1), picoseconds: [1000]),
                BenchMeasurement(run: run.on(.kernel), picoseconds: [1000]),
            ]
        }
        let outcome = try #require(BenchOutcome.evaluate([target], measurements: measurements).first)
        #expect(abs(outcome.value - 1000.0 / 560) < 1e-9, "ratios 1, 2, 1.79, 1.92, 1.25, 0.91, 1.85: the median")
        #expect(outcome.passed)
        #expect(outcome.kernel == 1)
        #expect(BenchOutcome.evaluate([target], measurements: Array(measurements.dropLast())).isEmpty,
                "a round missing a run: no figure")
    }
}
