import ShadowKit
import Testing

extension InVM {
    @Suite("alloc and get")
    struct AllocTests {
        @Test("alloc then get returns the same pointer", .inKlpsvVM)
        func allocThenGet() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let allocated = try session.hooks.alloc(.named("a"), id: 1, size: 64)
                #expect(allocated.found)
                let got = try session.hooks.get(.named("a"), id: 1)
                #expect(got.found)
                #expect(got.ptr == allocated.ptr)
                #expect(got.ctorCalls == 0)
            }
        }

        @Test("alloc zeroes the data, also of reused memory", .inKlpsvVM)
        func allocZeroes() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let first = try session.hooks.alloc(.named("a"), id: 1, size: 64)
                #expect(first.found && first.ctorCalls == 0)
                #expect(first.data == bytes(0, 64))
                #expect(try session.hooks.set(.named("a"), id: 1, byte: 0xff, length: 64).found)
                #expect(try session.hooks.get(.named("a"), id: 1, length: 64).data == bytes(0xff, 64))
                try session.hooks.free(.named("a"), id: 1)
                let second = try session.hooks.alloc(.named("a"), id: 1, size: 64)
                #expect(second.data == bytes(0, 64))
            }
        }

        @Test("ctor fill writes the pattern, once, in atomic context", .inKlpsvVM)
        func constructorFills() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let result = try session.hooks.alloc(.named("a"), id: 1, size: 64, ctor: .fill(0xab))
                #expect(result.found)
                #expect(result.ctorCalls == 1)
                #expect(result.ctorOK)
                #expect(result.ctorAtomic)
                #expect(result.data == bytes(0xab, 64))
            }
        }

        @Test("a failing ctor leaves nothing behind", .inKlpsvVM)
        func failingConstructor() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let before = try session.stats()
                let result = try session.hooks.alloc(.named("a"), id: 1, size: 64, ctor: .fail(5))
                #expect(!result.found)
                #expect(result.ctorCalls == 1)
                #expect(result.ctorOK)
                #expect(!(try session.hooks.get(.named("a"), id: 1).found))
                let after = try session.stats()
                #expect(after[id: 1].live == before[id: 1].live)
                #expect(after[id: 1].allocs == before[id: 1].allocs)
                #expect(after.total == before.total)
            }
        }

        @Test("a duplicate alloc returns NULL, keeps the original and logs one line", .inKlpsvVM)
        func duplicateAlloc() throws {
            let report = try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let original = try session.hooks.alloc(.named("a"), id: 1, size: 16, ctor: .fill(0x11))
                #expect(original.found)
                let duplicate = try session.hooks.alloc(.named("a"), id: 1, size: 16, ctor: .fill(0x22))
                #expect(!duplicate.found)
                #expect(duplicate.ctorCalls == 0)
                let kept = try session.hooks.get(.named("a"), id: 1, length: 16)
                #expect(kept.ptr == original.ptr)
                #expect(kept.data == bytes(0x11, 16))
                #expect(try session.stats()[id: 1] == KlpsvStats.Counters(live: 1, bytes: 16, allocs: 1, frees: 0))
            }
            #expect(report.log.lines(matching: "already exists").count == 1)
        }

        @Test("alloc with gfp=atomic works for a never-used id", .inKlpsvVM)
        func atomicAllocation() throws {
            try Fixture.run { session in
                let result = try session.hooks.alloc(.null, id: 77, size: 128, ctor: .fill(7), gfp: .atomic)
                #expect(result.found)
                #expect(result.ctorCalls == 1)
                #expect(result.ctorOK)
                #expect(result.ctorAtomic)
                #expect(result.data == bytes(7, 64))
                #expect(try session.stats()[id: 77].live == 1)
            }
        }

        @Test("get of a missing shadow finds nothing", .inKlpsvVM)
        func getMissing() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let result = try session.hooks.get(.named("a"), id: 1)
                #expect(!result.found)
                #expect(result.ptr == nil)
                #expect(result.ctorCalls == 0)
                #expect(try session.stats().total == .zero)
            }
        }
    }
}
