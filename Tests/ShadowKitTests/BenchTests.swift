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

    @Test func readsTheOverhead() throws {
        let files = FakeFiles(files: ["/dbg/klpsv_bench/overhead": "klpsv 32\nkernel 48\n"])
        let bench = KlpsvBench(debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false, files: files), files: files)
        #expect(try bench.overhead() == [.klpsv: 32, .kernel: 48])
        files.setFile("/dbg/klpsv_bench/overhead", "klpsv 32\n")
        #expect(throws: MalformedOutput.self) { try bench.overhead() }
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
        }
    }

    @Test func everyTargetIsReadOffTheRuns() {
        let plan = BenchPlan.smoke
        let measurements = plan.runs.map { run in
            // klpsv twice as fast; two threads take half the time per operation.
            let base: UInt64 = run.store == .klpsv ? 1000 : 2000
            let time = run.threads == 2 ? base / 2 : base
            return BenchMeasurement(run: run, picoseconds: Array(repeating: time, count: run.reps))
        }
        let outcomes = BenchOutcome.evaluate(BenchTarget.all(for: plan), measurements: measurements,
                                             overhead: [.klpsv: 32, .kernel: 48])
        #expect(outcomes.count == 8)
        #expect(outcomes[0].value == 2)
        #expect(outcomes[0].passed, "2x >= 1x")
        #expect(!outcomes[1].passed, "2x < 50x")
        #expect(outcomes[5].value == 2)
        #expect(outcomes[5].passed)
        #expect(outcomes[7].passed)
        let fat = BenchOutcome.evaluate([BenchTarget.all(for: plan)[7]], measurements: [],
                                        overhead: [.klpsv: 40, .kernel: 48])
        #expect(fat.map(\.passed) == [false])
        #expect(BenchOutcome.evaluate(BenchTarget.all(for: plan), measurements: [], overhead: [:]).isEmpty)
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
        let outcome = try #require(BenchOutcome.evaluate([target], measurements: measurements, overhead: [:]).first)
        #expect(abs(outcome.value - 1000.0 / 560) < 1e-9, "ratios 1, 2, 1.79, 1.92, 1.25, 0.91, 1.85: the median")
        #expect(outcome.passed)
        #expect(outcome.kernel == 1)
        #expect(BenchOutcome.evaluate([target], measurements: Array(measurements.dropLast()), overhead: [:]).isEmpty,
                "a round missing a run: no figure")
    }
}
