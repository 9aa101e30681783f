import Foundation
import ShadowKit
import Testing

extension InVM {
    /// klpsv and klpsv_test loaded and unloaded again and again, each time
    /// with shadows left behind for klpsv's unload to free.
    @Suite("load and unload cycles")
    struct CycleTests {
        /// Set to 1 (`make test-cycles`) for the long run.
        static let longVariable = "KLPSV_LONG"
        static var cycles: Int { ProcessEnvironment.value(longVariable) == "1" ? 1_000 : 5 }
        /// How much `Slab` in /proc/meminfo may grow over all cycles, in kB.
        static let slabGrowthAllowed = 2_048
        /// How much `MemAvailable` may shrink over all cycles, in kB.
        static let availableLossAllowed = 16_384

        /// Shadows each cycle makes: `(object, id, size)`, sizes from the
        /// smallest cache to kmalloc.
        static let shadows: [(ShadowObject, UInt64, UInt64)] = [
            (.named("a"), 1, 8), (.named("a"), 2, 100), (.named("b"), 1, 40), (.named("b"), 3, 5000),
            (.null, 7, 64), (.null, 8, 0),
        ]

        @Test("load, shadows of several ids and sizes left behind, unload: no cache, module or memory left",
              .inKlpsvVM)
        func cyclesLeaveNothing() throws {
            // One cycle first, so that what the first load of a module
            // allocates for good is not counted.
            try Self.cycle()
            let before = try MemoryFigures()
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<Self.cycles { try Self.cycle() }
            let elapsed = clock.now - start
            let after = try MemoryFigures()
            // On a debug kernel: what every cycle but the last few seconds'
            // left unreferenced (the lane's final scan sees the rest).
            try Fixture.expectNoLeaksNow()
            let slabinfo = try String(contentsOfFile: "/proc/slabinfo", encoding: .utf8)
            #expect(!slabinfo.contains("klpsv_shadow_"), "klpsv's slab caches outlive it")
            #expect(after.slab - before.slab <= Self.slabGrowthAllowed, "Slab grew: \(before) → \(after)")
            #expect(before.available - after.available <= Self.availableLossAllowed,
                    "MemAvailable shrank: \(before) → \(after)")
            FileHandle.standardError.write(Data("""
                cycles: \(Self.cycles) load/unload cycles in \(elapsed) (\(elapsed / Self.cycles) each); \
                Slab \(before.slab) → \(after.slab) kB, MemAvailable \(before.available) → \(after.available) kB

                """.utf8))
        }

        /// Loads both modules, allocates ``shadows`` (freeing one of them),
        /// and unloads both with the rest left to klpsv; the fixture checks
        /// the leftovers, the modules gone and the kernel log.
        static func cycle() throws {
            let report = try Fixture.run(expectedLeftovers: UInt64(shadows.count - 1)) { session in
                try session.setHooksParameter("cleanup_on_exit", "0")
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.newObject("b")
                for (object, id, size) in shadows {
                    #expect(try session.hooks.alloc(object, id: id, size: size, ctor: .fill(0x3c)).found)
                }
                try session.hooks.free(.named("a"), id: 2)
            }
            #expect(!report.log.lines(matching: "leftover").isEmpty, "no line about the leftover shadows")
        }
    }
}

/// `Slab` and `MemAvailable` of /proc/meminfo, in kB, after dropping the
/// page cache (so that reading the modules' files does not count).
struct MemoryFigures: CustomStringConvertible {
    var slab: Int
    var available: Int

    init() throws {
        try LocalFileAccess().write("3\n", to: "/proc/sys/vm/drop_caches")
        var fields: [String: Int] = [:]
        for line in try String(contentsOfFile: "/proc/meminfo", encoding: .utf8).split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " })
            if parts.count >= 2, let value = Int(parts[1]) { fields[String(parts[0])] = value }
        }
        slab = try #require(fields["Slab"])
        available = try #require(fields["MemAvailable"])
    }

    var description: String { "Slab \(slab) kB, MemAvailable \(available) kB" }
}
