import Foundation
import ShadowKit
import SystemPackage
import Testing

extension InVM {
    /// klpsv_bench.ko: its protocol, that a run leaves nothing behind, and
    /// the CI smoke run of `shadowctl bench` (speed is never asserted).
    @Suite("benchmark module")
    struct BenchModuleTests {
        /// BENCH_ID of kmod/bench/bench.h.
        static let benchID: UInt64 = 0x6b6c_7073

        @Test("malformed run commands are refused with EINVAL and run nothing", .inKlpsvVM, arguments: [
            "", "get_hit", "get_hit klpsv", "bogus klpsv live=1", "get_hit store live=1", "get_hit klpsv live=0",
            "get_hit klpsv live=1 live=2", "get_hit klpsv live=1 threads=99", "get_miss klpsv live=1 threads=2",
            "free_all kernel live=1 ops=abc", "get_hit klpsv live=1 reps=32", "get_hit klpsv live=1 colour=red",
            "get_hit klpsv live=-1", "get_hit klpsv live=4194305", "get_hit klpsv live=1 ops=+5",
            "free_all klpsv live=1 ms=5", "get_miss kernel live=1 ms=5", "get_hit klpsv live=1 ms=10001",
            "get_hit klpsv live=1 ms=5 ms=5", "hold klpsv", "hold klpsv live=0", "hold klpsv live=4194305",
            "hold klpsv live=1 ids=0", "hold klpsv live=1 ids=65", "hold klpsv live=100000 ids=64", "hold klpsv live=1 churn=10000001",
            "hold klpsv live=1 ops=5", "hold both live=1", "hold klpsv live=1 ids=1 ids=1", "release",
            "release klpsv", "release kernel",
        ])
        func malformedCommands(_ command: String) throws {
            try Fixture.run { session in
                try session.loader.load(Integration.modulePath(KlpsvBench.module))
                defer { try? session.loader.unload(KlpsvBench.module) }
                let ctl = ControlFile(path: KlpsvBench(debugfs: session.debugfs).directory + "/ctl")
                #expect(throws: Errno.invalidArgument) { try ctl.exchange(command + "\n") }
                let holdIDs = BenchHold(.klpsv, live: 1, ids: 64).shadowIDs
                #expect(try session.stats().rows.allSatisfy { $0.id != Self.benchID && !holdIDs.contains($0.id) },
                        "no shadow was made")
            }
        }

        @Test("a run on each store measures every repetition and leaves no shadow", .inKlpsvVM)
        func runsLeaveNothing() throws {
            try Fixture.run { session in
                try session.loader.load(Integration.modulePath(KlpsvBench.module))
                defer { try? session.loader.unload(KlpsvBench.module) }
                let bench = KlpsvBench(debugfs: session.debugfs)
                for workload in BenchRun.Workload.allCases {
                    for store in BenchRun.Store.allCases {
                        let run = BenchRun(workload, store, live: 500, ops: 200, reps: 3, seed: 7)
                        let measurement = try bench.measure(run)
                        #expect(measurement.picoseconds.count == 3)
                        #expect(measurement.picoseconds.allSatisfy { $0 > 0 })
                    }
                }
                let threaded = try bench.measure(BenchRun(.allocFree, .klpsv, live: 100, ops: 500, reps: 2, threads: 2))
                #expect(threaded.picoseconds.count == 2)
                // 50 accesses in a 20 ms box: it goes round them until the box is over.
                let boxed = try bench.measure(BenchRun(.getHit, .kernel, live: 100, ops: 50, reps: 2, threads: 2,
                                                       milliseconds: 20))
                #expect(boxed.picoseconds.count == 2)
                #expect(boxed.picoseconds.allSatisfy { $0 > 0 && $0 < 20_000_000_000 / 50 / 10 },
                        "many rounds of the 50 accesses, each thread's counted")
                #expect(try session.stats()[id: Self.benchID].live == 0, "every klpsv shadow of the runs is freed")
                #expect(try session.stats()[id: Self.benchID].allocs > 0)
            }
        }

        @Test("a hold keeps its shadows until its release; one hold at a time; a release needs a hold", .inKlpsvVM)
        func holdAndRelease() throws {
            try Fixture.run { session in
                try session.loader.load(Integration.modulePath(KlpsvBench.module))
                defer { try? session.loader.unload(KlpsvBench.module) }
                let bench = KlpsvBench(debugfs: session.debugfs)
                let ctl = ControlFile(path: bench.controlPath)
                let hold = BenchHold(.klpsv, live: 500, ids: 3, churn: 1_000)
                try bench.hold(hold)
                #expect(throws: Errno.resourceBusy) { try ctl.exchange(BenchHold(.kernel, live: 1).command + "\n") }
                #expect(throws: Errno.invalidArgument) { try ctl.exchange("release kernel\n") }
                let stats = try session.stats()
                for id in hold.shadowIDs {
                    #expect(stats[id: id].live == 500)
                    let memory = try #require(stats.memory(of: id))
                    #expect(memory.variables >= 500 * UInt64(BenchHold.dataBytes), "id \(id): its variables counted")
                    #expect(memory.table > 0, "id \(id): its table counted")
                }
                #expect(stats[id: hold.shadowIDs[0]].allocs == 1_500, "the churn's pairs on the first id")
                #expect(stats[id: hold.shadowIDs[0]].frees == 1_000)
                try bench.release(hold)
                let released = try session.stats()
                #expect(hold.shadowIDs.allSatisfy { released[id: $0].live == 0 }, "free_all of every held id")
                #expect(throws: Errno.invalidArgument) { try ctl.exchange("release klpsv\n") }
                let kernel = BenchHold(.kernel, live: 200, ids: 2)
                try bench.hold(kernel)
                try bench.release(kernel)
            }
        }

        @Test("shadowctl bench --smoke: every target computed, a picture drawn, the modules it loaded unloaded",
              .inKlpsvVM)
        func smoke() throws {
            try Fixture.run { session in
                let picture = FileManager.default.temporaryDirectory
                    .appendingPathComponent("klpsv-bench-\(UUID().uuidString).png").path
                defer { try? FileManager.default.removeItem(atPath: picture) }
                let bench = try ShadowctlRun("bench", "--smoke", "--json", "--plot", picture)
                #expect(bench.status == 0, "targets are not asserted without --strict")
                let report = try JSONDecoder().decode(SmokeReport.self, from: Data(bench.output.utf8))
                #expect(report.smoke)
                #expect(report.targets.count == BenchTarget.all(for: .smoke).count)
                let inputs = report.runs.map { "\($0.workload) \($0.live) \($0.threads) \($0.milliseconds) \($0.seed)" }
                #expect(report.runs.count == 2 * Set(inputs).count, "every input on both stores")
                #expect(report.memory.map(\.store) == ["klpsv", "kernel"], "memory held in both stores")
                for memory in report.memory {
                    let perShadow = try #require(memory.bytesPerShadow, "\(memory.store): memory seen held")
                    #expect(perShadow > 0 && perShadow.isFinite)
                    #expect(memory.heldBytes > memory.baselineBytes)
                    #expect((memory.variableBytes != nil) == (memory.store == "klpsv"), "klpsv's own count")
                }
                #expect(!session.loader.isLoaded(KlpsvBench.module), "shadowctl unloads what it loaded")
                let png = try Data(contentsOf: URL(fileURLWithPath: picture))
                #expect(png.starts(with: [0x89, 0x50, 0x4e, 0x47]), "gnuplot drew a PNG")
            }
        }
    }
}

/// The parts of `shadowctl bench --json` the smoke test reads.
private struct SmokeReport: Decodable {
    struct Target: Decodable {
        var name: String
        var passed: Bool
    }

    struct Run: Decodable {
        var workload, store: String
        var live, threads, milliseconds: Int
        var seed: UInt64
    }

    struct Memory: Decodable {
        var store: String
        var baselineBytes, heldBytes: UInt64
        var bytesPerShadow: Double?
        var variableBytes: UInt64?
    }

    var smoke: Bool
    var targets: [Target]
    var runs: [Run]
    var memory: [Memory]
}
