import Foundation
import ShadowKit
import Testing
@testable import shadowctl

/// What `shadowctl bench` prints and writes, from made-up measurements.
@Suite("shadowctl bench output")
struct BenchOutputTests {
    static let plan = BenchPlan.full

    /// klpsv twice as fast as the kernel; two threads take half the time
    /// per operation on both stores.
    static let measurements = plan.runs.map { run in
        let base: UInt64 = run.store == .klpsv ? 1000 : 2000
        let time = run.threads == 2 ? base / 2 : base
        return BenchMeasurement(run: run, picoseconds: Array(repeating: time, count: run.reps))
    }

    /// `hold` measured as taking `perShadow` bytes a shadow all in, and
    /// keeping `kept` of them a second after the release.
    static func memory(_ hold: BenchHold, perShadow: Double, kept: Double = 0,
                       counted: KlpsvStats.Memory? = nil) -> BenchMemory {
        let base: UInt64 = 100 << 20
        let held = UInt64(perShadow * Double(hold.shadows))
        let info = { (used: UInt64) in MemInfo(slab: used, vmallocUsed: 0, percpu: 0) }
        return BenchMemory(hold: hold, baseline: info(base), held: info(base + held),
                           after: info(base + UInt64(kept * Double(held))), counted: counted)
    }

    static let memory = [
        memory(plan.memory[0], perShadow: 60, counted: .init(variables: 2_048_000, table: 1_536_000, pending: 0)),
        memory(plan.memory[1], perShadow: 64),
        memory(plan.memory[2], perShadow: 72, counted: .init(variables: 3_200_000, table: 3_200_000, pending: 800_000)),
        memory(plan.memory[3], perShadow: 64),
        memory(plan.memory[4], perShadow: 40, kept: 0.004,
               counted: .init(variables: 32_000_000, table: 8_000_000, pending: 0)),
        memory(plan.memory[5], perShadow: 41,
               counted: .init(variables: 32_000_000, table: 8_000_000, pending: 1_000_000)),
        memory(plan.memory[6], perShadow: 64, kept: 0.5),
    ]

    static func lines(ceiling: BenchCeiling? = nil) -> [String] {
        let targets = BenchTarget.all(for: plan)
        let outcomes = BenchOutcome.evaluate(targets, measurements: measurements, memory: memory)
        return benchLines(targets: targets, outcomes: outcomes, ceiling: ceiling, measurements: measurements,
                          memory: memory)
    }

    @Test func theTargetsThenTheMemoryPerShadow() {
        let lines = Self.lines()
        #expect(Array(lines.prefix(24)) == [
            "target                                            klpsv  kernel  figure                 goal  result",
            "get hit, 1k live                                 1.0 ns  2.0 ns   2.00x             >= 1.00x  pass",
            "get hit, 1M live                                 1.0 ns  2.0 ns   2.00x             >= 50.0x  FAIL",
            "get miss, 1M live                                1.0 ns  2.0 ns   2.00x             >= 50.0x  FAIL",
            "alloc + free, 1k live                            1.0 ns  2.0 ns   2.00x             >= 1.00x  pass",
            "alloc + free, 10k live                           1.0 ns  2.0 ns   2.00x             >= 1.00x  pass",
            "alloc + free, 1M live                            1.0 ns  2.0 ns   2.00x             >= 10.0x  FAIL",
            "free_all of 1k among 1M                          1.0 ns  2.0 ns   2.00x              >= 100x  FAIL",
            "get throughput, 2 threads / 1, 10k live           2.00x   2.00x   2.00x             >= 1.70x  pass",
            "alloc/free throughput, 2 threads / 1, 100k live   2.00x   2.00x   2.00x  >= 1.50x, >= kernel  pass",
            "memory beyond data, 1k live                      52.0 B  56.0 B  52.0 B            <= kernel  pass",
            "memory beyond data, 100k live                    64.0 B  56.0 B  64.0 B            <= kernel  FAIL",
            "memory beyond data, 1M live                      32.0 B  56.0 B  32.0 B              <= 32 B  pass",
            "memory beyond data, 1M after churn               33.0 B       -  33.0 B              <= 32 B  FAIL",
            "memory kept 1 s after free_all, 1M                 0.4%   50.0%    0.4%                <= 1%  pass",
            "",
            "8 of 14 targets met",
            "",
            "memory per 8-byte shadow: all in (Slab + VmallocUsed + Percpu, held minus before), and klpsv's own "
                + "count of its ids (stats):",
            "held                             klpsv  kernel  variables   table  pending",
            "1k live x 64 ids                60.0 B  64.0 B     32.0 B  24.0 B    0.0 B",
            "100k live                       72.0 B  64.0 B     32.0 B  32.0 B    8.0 B",
            "1M live                         40.0 B  64.0 B     32.0 B   8.0 B    0.0 B",
            "1M live, after 1M alloc + free  41.0 B       -     32.0 B   8.0 B    1.0 B",
        ])
        #expect(lines[24] == "")
        #expect(lines[25] == "runs (time per operation; \"ms\": time-boxed repetitions):")
        #expect(lines.count == 26 + 1 + Self.measurements.count)
    }

    @Test func aScalingFigureUnderTheKernelsIsAPlainFail() throws {
        let plan = Self.plan
        let target = try #require(BenchTarget.all(for: plan).first { $0.name.hasPrefix("alloc/free throughput") })
        var measurements: [BenchMeasurement] = []
        for round in 1...plan.threadedRounds {
            for (run, two) in [(plan.threaded(.allocFree, threads: 2, round: round), UInt64(800)),
                               (plan.threaded(.spin, threads: 2, round: round), 800)] {
                // klpsv 1.25x; the kernel 2x; spin 1.25x, a ceiling under the 1.5x goal.
                measurements += [
                    BenchMeasurement(run: run.on(threads: 1), picoseconds: [1000]),
                    BenchMeasurement(run: run, picoseconds: [two]),
                    BenchMeasurement(run: run.on(.kernel).on(threads: 1), picoseconds: [1000]),
                    BenchMeasurement(run: run.on(.kernel), picoseconds: [run.workload == .spin ? 800 : 500]),
                ]
            }
        }
        let ceiling = try #require(BenchCeiling(plan: plan, measurements: measurements))
        let below = BenchOutcome.evaluate([target], measurements: measurements)
        let lines = benchLines(targets: [target], outcomes: below, ceiling: ceiling, measurements: [], memory: [])
        #expect(lines[1].hasSuffix("1.25x   2.00x   1.25x  >= 1.50x, >= kernel  FAIL"),
                "under the kernel's 2x: the ceiling excuses nothing")

        // The kernel's store scales 1.2x: only the goal above the ceiling is missed.
        let kernelSlower = measurements.map { m in
            m.run.workload == .allocFree && m.run.store == .kernel && m.run.threads == 2
                ? BenchMeasurement(run: m.run, picoseconds: [833]) : m
        }
        let aboveCeiling = BenchOutcome.evaluate([target], measurements: kernelSlower)
        let marked = benchLines(targets: [target], outcomes: aboveCeiling, ceiling: ceiling, measurements: [],
                                memory: [])
        #expect(marked[1].hasSuffix("FAIL (above ceiling)"))
    }

    @Test func aTargetWithoutFiguresIsNamed() {
        let targets = BenchTarget.all(for: .smoke)
        let lines = benchLines(targets: targets, outcomes: [], ceiling: nil, measurements: [], memory: [])
        #expect(lines.contains("0 of 10 targets met"))
        #expect(lines.contains { $0.hasPrefix("not measured: get hit, 1k live; get hit, 1k live; ") })
        #expect(!lines.contains { $0.hasPrefix("memory per") }, "no memory measured, no memory table")
    }

    @Test func theReportHoldsTheMemoryMeasurements() throws {
        let targets = BenchTarget.all(for: Self.plan)
        let broken = BenchMemory(hold: Self.plan.memory[4], baseline: MemInfo(slab: 8, vmallocUsed: 0, percpu: 0),
                                 held: MemInfo(slab: 8, vmallocUsed: 0, percpu: 0),
                                 after: MemInfo(slab: 8, vmallocUsed: 0, percpu: 0))
        let memory = [Self.memory[0], Self.memory[1], broken]
        let outcomes = BenchOutcome.evaluate(targets, measurements: Self.measurements, memory: memory)
        let report = BenchReportJSON(smoke: false, outcomes: outcomes, ceiling: nil, measurements: Self.measurements,
                                     memory: memory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(report)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let held = try #require(json["memory"] as? [[String: Any]])
        #expect(held.count == 3)
        #expect(held[0]["store"] as? String == "klpsv")
        #expect(held[0]["ids"] as? Int == 64)
        #expect(held[0]["shadows"] as? Int == 64_000)
        #expect(held[0]["heldBytes"] as? Int == (100 << 20) + 3_840_000)
        #expect(held[0]["baselineBytes"] as? Int == 100 << 20)
        #expect(held[0]["bytesPerShadow"] as? Double == 60)
        #expect(held[0]["beyondDataPerShadow"] as? Double == 52)
        #expect(held[0]["keptFraction"] as? Double == 0)
        #expect(held[0]["variableBytes"] as? Int == 2_048_000)
        #expect(held[0]["tableBytes"] as? Int == 1_536_000)
        #expect(held[0]["pendingBytes"] as? Int == 0)
        #expect(held[1]["store"] as? String == "kernel")
        #expect(held[1]["variableBytes"] == nil, "the kernel's store has no count")
        #expect(held[2]["bytesPerShadow"] == nil, "nothing seen held: no figure, and the JSON stays valid")
        #expect(json["overheadBytes"] == nil, "the bookkeeping row is gone")
        #expect(json["runs"] != nil && json["targets"] != nil && json["smoke"] as? Bool == false)
        let rows = try #require(json["targets"] as? [[String: Any]])
        let memoryRow = try #require(rows.first { $0["name"] as? String == "memory beyond data, 1k live" })
        #expect(memoryRow["kind"] as? String == "memory")
        #expect(memoryRow["matchesKernel"] as? Bool == true)
        #expect(memoryRow["goal"] == nil)
        #expect(memoryRow["klpsv"] as? Double == 52)
        #expect(memoryRow["kernel"] as? Double == 56)
        let brokenRow = try #require(rows.first { $0["name"] as? String == "memory beyond data, 1M live" })
        #expect(brokenRow["klpsv"] == nil)
        #expect(brokenRow["passed"] as? Bool == false)
        let kept = try #require(rows.first { $0["kind"] as? String == "kept" })
        #expect(kept["goal"] as? Double == 0.01)
    }

    @Test(arguments: [
        (UInt64(0), "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1229, "1.2 KiB"), (1_048_524, "1023.9 KiB"),
        (1_048_525, "1.0 MiB"),
        (1_048_576, "1.0 MiB"), (5 << 30, "5.0 GiB"), (UInt64.max, "16.0 EiB"),
    ])
    func byteCountsForPeople(bytes: UInt64, text: String) {
        #expect(byteCount(bytes) == text)
    }
}
