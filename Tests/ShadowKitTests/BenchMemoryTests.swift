import ShadowKit
import SystemPackage
import Testing

@Suite("benchmark memory")
struct BenchMemoryTests {
    /// /proc/meminfo of a 6.1 guest, abridged.
    static func meminfo(slab: Int, vmalloc: Int = 9948, percpu: Int = 912) -> String {
        """
        MemTotal:        2014084 kB
        MemFree:         1597712 kB
        MemAvailable:    1769536 kB
        Buffers:               0 kB
        Cached:           259432 kB
        SReclaimable:      11844 kB
        SUnreclaim:        29392 kB
        Slab:           \(slab) kB
        KernelStack:        2560 kB
        VmallocTotal:   34359738367 kB
        VmallocUsed:        \(vmalloc) kB
        VmallocChunk:          0 kB
        Percpu:              \(percpu) kB
        HugePages_Total:       0
        Hugepagesize:       2048 kB

        """
    }

    @Test func readsSlabVmallocAndPercpuInBytes() throws {
        let info = try MemInfo(parsing: Self.meminfo(slab: 41236))
        #expect(info == MemInfo(slab: 41236 * 1024, vmallocUsed: 9948 * 1024, percpu: 912 * 1024))
        #expect(info.used == (41236 + 9948 + 912) * 1024)
    }

    @Test("malformed meminfo is refused", arguments: [
        ("MemTotal: 1 kB\nSlab: 1 kB\nVmallocUsed: 1 kB\n", "no 'Percpu' line"),
        ("Slab: 1 kB\nPercpu: 1 kB\n", "no 'VmallocUsed' line"),
        ("", "no 'Slab' line"),
        ("Slab: 1 kB\nVmallocUsed: many kB\nPercpu: 1 kB\n", "'VmallocUsed' is not a number of kB"),
        ("Slab: 1\nVmallocUsed: 1 kB\nPercpu: 1 kB\n", "'Slab' is not a number of kB"),
        ("Slab: 1 MB\nVmallocUsed: 1 kB\nPercpu: 1 kB\n", "'Slab' is not a number of kB"),
        ("Slab: -1 kB\nVmallocUsed: 1 kB\nPercpu: 1 kB\n", "'Slab' is not a number of kB"),
        ("Slab: 18014398509481984 kB\nVmallocUsed: 1 kB\nPercpu: 1 kB\n", "'Slab' is not a number of kB"),
    ])
    func refusesMalformedMeminfo(text: String, reason: String) {
        let error = #expect(throws: MalformedOutput.self) { try MemInfo(parsing: text) }
        #expect(error?.reason == reason)
        #expect(error?.source == "/proc/meminfo")
    }

    @Test func errorsNameTheLine() {
        let error = #expect(throws: MalformedOutput.self) {
            try MemInfo(parsing: "Slab: 1 kB\nPercpu: x kB\nVmallocUsed: 1 kB\n")
        }
        #expect(error?.description == "malformed /proc/meminfo, line 2: 'Percpu' is not a number of kB: 'Percpu: x kB'")
    }

    @Test func theFiguresOfAHold() {
        let hold = BenchHold(.klpsv, live: 1_000, ids: 64)
        let memory = BenchMemory(
            hold: hold, baseline: MemInfo(slab: 40 << 20, vmallocUsed: 8 << 20, percpu: 1 << 20),
            held: MemInfo(slab: (40 << 20) + 2_048_000, vmallocUsed: (8 << 20) + 1_024_000,
                          percpu: (1 << 20) + 128_000),
            after: MemInfo(slab: (40 << 20) + 31_760, vmallocUsed: 8 << 20, percpu: 1 << 20),
            counted: KlpsvStats.Memory(variables: 2_048_000, table: 1_048_576, pending: 64_000))
        #expect(memory.heldBytes == 3_200_000)
        #expect(memory.bytesPerShadow == 50, "3,200,000 bytes for 64 x 1,000 shadows")
        #expect(memory.beyondDataPerShadow == 42)
        #expect(memory.keptBytes == 31_760)
        #expect(memory.keptFraction == 0.009925)
        #expect(memory.perShadow(2_048_000) == 32)
        #expect(memory.perShadow(memory.counted!.pending) == 1)
    }

    @Test func aHoldThatShowsNoMemoryHasNoFigure() {
        let same = MemInfo(slab: 1 << 20, vmallocUsed: 0, percpu: 0)
        let less = MemInfo(slab: 1 << 19, vmallocUsed: 0, percpu: 0)
        for held in [same, less] {
            let memory = BenchMemory(hold: BenchHold(.kernel, live: 10), baseline: same, held: held, after: same)
            #expect(memory.bytesPerShadow.isNaN)
            #expect(memory.beyondDataPerShadow.isNaN)
            #expect(memory.keptFraction.isNaN)
        }
    }

    /// A klpsv_bench whose holds and releases change the fake meminfo, and
    /// a klpsv whose stats show the held ids.
    struct Rig {
        let files: FakeFiles
        let channel: FakeChannel
        let clock = FakeClock()
        let bench: KlpsvBench

        init(hold: BenchHold, stats: String, releaseFails: Bool = false) {
            let files = FakeFiles(files: [MemInfo.refreshPath: "", MemInfo.path: BenchMemoryTests.meminfo(slab: 40_000),
                                          "/dbg/klpsv/stats": stats],
                                  directories: ["/dbg", "/dbg/klpsv", "/dbg/klpsv_bench"])
            channel = FakeChannel { line in
                switch line {
                case hold.command:
                    files.setFile(MemInfo.path, BenchMemoryTests.meminfo(slab: 42_000, vmalloc: 10_948, percpu: 1_912))
                    return .success(hold.command + " shadows=\(hold.shadows)\n")
                case hold.releaseCommand:
                    if releaseFails { return .failure(.invalidArgument) }
                    files.setFile(MemInfo.path, BenchMemoryTests.meminfo(slab: 40_040))
                    return .success(hold.releaseCommand + " shadows=\(hold.shadows)\n")
                default:
                    return .failure(.invalidArgument)
                }
            }
            self.files = files
            let channel = channel
            bench = KlpsvBench(debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false, files: files), files: files,
                               clock: clock.clock) { _ in channel }
        }
    }

    static let heldStats = """
        id          live  bytes allocs frees memory variables table pending
        1802268928  1000  8000   1000     0  49152     32768 16384       0
        1802268929  1000  8000   1000     0  50176     32768 16384    1024
        total       2000 16000   2000     0  99328     65536 32768    1024
        """

    @Test func measuresAHoldThenReleasesIt() throws {
        let hold = BenchHold(.klpsv, live: 1_000, ids: 2)
        let rig = Rig(hold: hold, stats: Self.heldStats)
        let memory = try rig.bench.measureMemory(hold)
        #expect(rig.channel.written == [hold.command + "\n", "release klpsv\n"])
        #expect(memory.baseline == (try MemInfo(parsing: Self.meminfo(slab: 40_000))))
        #expect(memory.held.used - memory.baseline.used == 4_000 * 1024)
        #expect(memory.after.used - memory.baseline.used == 40 * 1024)
        #expect(memory.bytesPerShadow == 2048)
        #expect(memory.keptFraction == 0.01)
        #expect(memory.counted == KlpsvStats.Memory(variables: 65536, table: 32768, pending: 1024),
                "klpsv's count of the two held ids")
        #expect(rig.files.writes.map(\.path) == Array(repeating: MemInfo.refreshPath, count: 3),
                "the counters folded before each reading")
        #expect(rig.files.writes.allSatisfy { $0.text == "1\n" })
        #expect(rig.clock.clock.now() == KlpsvBench.settleTime * 2 + KlpsvBench.releaseTime)
        #expect(rig.clock.sleeps == 3, "settled before, settled while held, a second after the release")
    }

    @Test func theKernelsStoreHasNoCount() throws {
        let hold = BenchHold(.kernel, live: 1_000)
        let rig = Rig(hold: hold, stats: "not read")
        let memory = try rig.bench.measureMemory(hold)
        #expect(memory.counted == nil)
        #expect(memory.bytesPerShadow == 4_096)
    }

    @Test func aHeldIdMissingFromTheStatsIsAnErrorAndTheShadowsAreReleased() throws {
        let hold = BenchHold(.klpsv, live: 1_000, ids: 3)
        let rig = Rig(hold: hold, stats: Self.heldStats)
        let error = #expect(throws: MalformedOutput.self) { try rig.bench.measureMemory(hold) }
        #expect(error?.reason == "no line for held id 1802268930")
        #expect(rig.channel.written == [hold.command + "\n", "release klpsv\n"], "released all the same")
    }

    @Test func aFailedReleaseIsAnError() {
        let hold = BenchHold(.kernel, live: 10)
        let rig = Rig(hold: hold, stats: "", releaseFails: true)
        let error = #expect(throws: BenchError.self) { try rig.bench.measureMemory(hold) }
        #expect(error?.command == "release kernel")
    }

    @Test func foldingTheCountersNeedsRoot() {
        let files = FakeFiles(files: [MemInfo.path: Self.meminfo(slab: 1)],
                              failures: [MemInfo.refreshPath: .permissionDenied])
        let bench = KlpsvBench(debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false), files: files)
        let error = #expect(throws: BenchError.self) { try bench.usedMemory() }
        #expect(error == BenchError(command: nil, path: MemInfo.refreshPath, errno: .permissionDenied))
    }

    @Test func aFoldThatReportsANegativeCounterStillFolded() throws {
        let files = FakeFiles(files: [MemInfo.path: Self.meminfo(slab: 1)],
                              failures: [MemInfo.refreshPath: .invalidArgument])
        let bench = KlpsvBench(debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false), files: files)
        #expect(try bench.usedMemory().slab == 1024)
    }

    @Test func anUnreadableMeminfoIsABenchError() {
        let files = FakeFiles(files: [MemInfo.refreshPath: ""], failures: [MemInfo.path: .ioError])
        let bench = KlpsvBench(debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false), files: files)
        let error = #expect(throws: BenchError.self) { try bench.usedMemory() }
        #expect(error?.path == MemInfo.path)
        #expect(error?.description == "cannot access /proc/meminfo: Input/output error")
    }
}
