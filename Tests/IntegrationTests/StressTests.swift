import Foundation
import ShadowKit
import Testing

extension InVM {
    @Suite("scale and races")
    struct StressTests {
        /// Shadows created on one id.
        static let scale = 3_000
        /// Every how many shadows one is looked up again.
        static let sampleStride = 97
        /// Every how many commands the kernel log is read, so that no
        /// record is lost before it is checked.
        static let logPollInterval = 500

        @Test("3000 shadows on one id, every other one atomic (the table is rebuilt as it grows): every sample is found, free-all frees all",
              .inKlpsvVM)
        func manyShadowsOnOneID() throws {
            try Fixture.run { session in
                var pointers: [String?] = []
                pointers.reserveCapacity(Self.scale)
                var misses = 0
                for index in 0..<Self.scale {
                    _ = try session.hooks.newObject("o\(index)", size: 8)
                    let result = try session.hooks.alloc(.named("o\(index)"), id: 5, size: 8,
                                                         gfp: index % 2 == 0 ? .kernel : .atomic)
                    if !result.found { misses += 1 }
                    pointers.append(result.ptr)
                    if index % Self.logPollInterval == 0 { try session.pollLog() }
                }
                #expect(misses == 0)
                let stats = try session.stats()
                #expect(stats[id: 5].live == UInt64(Self.scale))
                // 8 parts of about 375 each (a few dozen either way): each
                // never more than 7/8 used, rebuilt to 8/5 of its live
                // count, rounded up to kmalloc's size (a power of two at
                // these sizes): 512 or 1024 slots a part.
                let slots = try #require(stats.slots(of: 5))
                #expect((4096...8192).contains(slots) && slots % 512 == 0, "slots: \(slots)")
                #expect(stats.totalSlots == stats.rows.reduce(0) { $0 + ($1.slots ?? 0) })
                var lost = 0
                for index in stride(from: 0, to: Self.scale, by: Self.sampleStride) {
                    let result = try session.hooks.get(.named("o\(index)"), id: 5)
                    if !result.found || result.ptr != pointers[index] { lost += 1 }
                }
                #expect(lost == 0)
                #expect(try session.hooks.freeAll(id: 5) == FreeResult(dtorCalls: UInt64(Self.scale), dtorOK: true))
                #expect(try session.stats()[id: 5]
                    == KlpsvStats.Counters(live: 0, bytes: 0, allocs: UInt64(Self.scale), frees: UInt64(Self.scale)))
                // Emptied tables shrink back to the smallest, 8 slots a
                // part, in work items.
                let emptied = try session.stats { $0.slots(of: 5) == 64 }.slots(of: 5)
                #expect(emptied == 64)
                try session.pollLog()
            }
        }

        struct RaceCase: Sendable, CustomTestStringConvertible {
            var id: UInt64
            var threads: UInt64
            var iterations: UInt64
            var objects: UInt64
            var testDescription: String { "\(threads) threads × \(iterations) over \(objects) objects" }
        }

        @Test("racing get, get-or-alloc and free: each shadow constructed and destroyed once", .inKlpsvVM,
              arguments: [
                  RaceCase(id: 9, threads: 2, iterations: 200_000, objects: 16),
                  RaceCase(id: 10, threads: 8, iterations: 50_000, objects: 1),
                  // Enough objects for the table to grow, fill with freed
                  // slots and be rebuilt many times under the readers.
                  RaceCase(id: 11, threads: 4, iterations: 100_000, objects: 4096),
              ])
        func race(_ race: RaceCase) throws {
            try Fixture.run { session in
                let result = try session.hooks.race(id: race.id, threads: race.threads,
                                                    iterations: race.iterations, objects: race.objects)
                #expect(result.ok)
                #expect(result.errors == 0)
                #expect(result.threads == race.threads && result.iterations == race.iterations)
                #expect(result.ctorCalls == result.dtorCalls)
                #expect(result.ctorCalls > 0 && result.gets > 0)
                let stats = try session.stats()[id: race.id]
                #expect(stats.live == 0)
                #expect(stats.allocs == result.ctorCalls, "a shadow was created twice, or without its ctor")
                #expect(stats.frees == result.dtorCalls)
            }
        }
    }
}
