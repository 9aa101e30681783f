import Foundation
import ShadowKit
import Testing

extension InVM {
    /// Freed shadows kept for the next allocations of their CPU once their
    /// grace period is over (kmod/klpsv/recycle.c). Every test loads klpsv
    /// with `recycle=1`: a KASAN kernel keeps nothing otherwise.
    @Suite("recycled shadows")
    struct RecycleTests {
        /// More than two batches of frees (255 each): two are closed full
        /// while the frees go on, the last one by its delay.
        static let count = 600
        static let names = (0..<count).map { "r\($0)" }

        /// Allocates a shadow of `size` bytes for every object of `names`,
        /// checks that its data is zeroed, and writes 0xa5 over it.
        /// Returns the shadows' addresses (hashed, as the hooks print them).
        static func allocateDirty(_ session: KlpsvSession, id: UInt64, size: UInt64,
                                  round: Int) throws -> Set<String> {
            var pointers = Set<String>()
            for name in names {
                let shadow = try session.hooks.alloc(.named(name), id: id, size: size)
                #expect(shadow.found && shadow.data == bytes(0, Int(size)), "round \(round), \(name)")
                if let ptr = shadow.ptr { pointers.insert(ptr) }
                #expect(try session.hooks.set(.named(name), id: id, byte: 0xa5, length: size).found)
            }
            return pointers
        }

        static func freeAll(_ session: KlpsvSession, id: UInt64) throws {
            for name in names {
                #expect(try session.hooks.free(.named(name), id: id).dtorCalls == 1, "\(name)")
            }
        }

        /// On one CPU, so that the batches of frees are reclaimed, and their
        /// shadows kept, on the CPU whose allocations take them back.
        @Test("shadows allocated where freed ones were kept come back zeroed; what is kept is given back within seconds",
              .inKlpsvVM)
        func reusedShadowsAreZeroed() throws {
            try Fixture.run(klpsvParameters: ["recycle=1"]) { session in
                for name in Self.names { _ = try session.hooks.newObject(name) }
                try onCPU(0) {
                    var freed = Set<String>()
                    var reused = 0
                    for round in 0..<3 {
                        let pointers = try Self.allocateDirty(session, id: 14, size: 32, round: round)
                        reused += pointers.intersection(freed).count
                        try Self.freeAll(session, id: 14)
                        freed = pointers
                        // Their grace period over, the batches are reclaimed.
                        let stats = try session.stats { $0.memory(of: 14)?.pending == 0 }
                        #expect(stats.memory(of: 14)?.pending == 0, "round \(round)")
                    }
                    #expect(reused > 0, "no freed shadow's memory was allocated again")
                }
                let settled = try session.stats { $0.totalMemory.pending == 0 }
                #expect(settled.totalMemory.pending == 0, "the kept shadows were given back")
                #expect(settled[id: 14] == KlpsvStats.Counters(live: 0, bytes: 0, allocs: UInt64(3 * Self.count),
                                                                frees: UInt64(3 * Self.count)))
            }
        }

        /// CPU 1 frees, then goes offline: its delayed work items run
        /// elsewhere then, and leave its batch and lists alone; klpsv's CPU
        /// hotplug callbacks close the batch and give back what it kept.
        /// Online again, the CPU frees and keeps as before.
        @Test("a CPU that goes offline leaves nothing behind: its open batch is closed, what it kept is given back",
              .inKlpsvVM)
        func offlineCPULeavesNothing() throws {
            let online = "/sys/devices/system/cpu/cpu1/online"
            try Fixture.run(klpsvParameters: ["recycle=1"]) { session in
                for name in Self.names { _ = try session.hooks.newObject(name) }
                for round in 0..<2 {
                    try onCPU(1) {
                        _ = try Self.allocateDirty(session, id: 15, size: 16, round: round)
                        try Self.freeAll(session, id: 15)
                    }
                    try LocalFileAccess().write("0\n", to: online)
                    let settled: KlpsvStats
                    do {
                        defer { try? LocalFileAccess().write("1\n", to: online) }
                        settled = try session.stats {
                            $0.memory(of: 15)?.pending == 0 && $0.totalMemory.pending == 0
                        }
                    }
                    #expect(settled.memory(of: 15)?.pending == 0, "round \(round): CPU 1's batches were freed")
                    #expect(settled.totalMemory.pending == 0, "round \(round): what CPU 1 kept was given back")
                }
                #expect(try session.stats()[id: 15].frees == UInt64(2 * Self.count))
            }
        }
    }
}
