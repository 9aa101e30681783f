import ShadowKit
import Testing

extension InVM {
    @Suite("free and free-all")
    struct FreeTests {
        @Test("free runs the dtor exactly once", .inKlpsvVM)
        func freeRunsDestructor() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.alloc(.named("a"), id: 1, size: 8)
                let result = try session.hooks.free(.named("a"), id: 1)
                #expect(result == FreeResult(dtorCalls: 1, dtorOK: true))
                #expect(!(try session.hooks.get(.named("a"), id: 1).found))
                #expect(try session.stats()[id: 1] == KlpsvStats.Counters(live: 0, bytes: 0, allocs: 1, frees: 1))
            }
        }

        @Test("free with dtor=none removes the shadow without calls", .inKlpsvVM)
        func freeWithoutDestructor() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.alloc(.named("a"), id: 1, size: 8)
                let result = try session.hooks.free(.named("a"), id: 1, dtor: .none)
                #expect(result == FreeResult(dtorCalls: 0, dtorOK: true))
                #expect(!(try session.hooks.get(.named("a"), id: 1).found))
                #expect(try session.stats()[id: 1].frees == 1)
            }
        }

        @Test("free of a missing shadow is a no-op", .inKlpsvVM)
        func freeMissing() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let before = try session.stats()
                #expect(try session.hooks.free(.named("a"), id: 1) == FreeResult(dtorCalls: 0, dtorOK: true))
                #expect(try session.stats().total == before.total)
            }
        }

        @Test("the second free of a shadow is a no-op", .inKlpsvVM)
        func doubleFree() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.alloc(.named("a"), id: 1, size: 8)
                #expect(try session.hooks.free(.named("a"), id: 1).dtorCalls == 1)
                #expect(try session.hooks.free(.named("a"), id: 1) == FreeResult(dtorCalls: 0, dtorOK: true))
                #expect(try session.stats()[id: 1].frees == 1)
            }
        }

        @Test("free-all frees every shadow of the id", .inKlpsvVM)
        func freeAllFreesEveryObject() throws {
            try Fixture.run { session in
                let names = (0..<5).map { "o\($0)" }
                for name in names {
                    _ = try session.hooks.newObject(name)
                    #expect(try session.hooks.alloc(.named(name), id: 3, size: 8).found)
                }
                #expect(try session.hooks.alloc(.null, id: 3, size: 8).found)
                #expect(try session.stats()[id: 3].live == 6)
                #expect(try session.hooks.freeAll(id: 3) == FreeResult(dtorCalls: 6, dtorOK: true))
                #expect(try session.stats()[id: 3] == KlpsvStats.Counters(live: 0, bytes: 0, allocs: 6, frees: 6))
                for name in names {
                    #expect(!(try session.hooks.get(.named(name), id: 3).found))
                }
            }
        }

        @Test("free-all leaves other ids untouched", .inKlpsvVM)
        func freeAllLeavesOtherIDs() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.alloc(.named("a"), id: 1, size: 8, ctor: .fill(0x11))
                _ = try session.hooks.alloc(.named("a"), id: 2, size: 8, ctor: .fill(0x22))
                _ = try session.hooks.alloc(.null, id: 2, size: 8, ctor: .fill(0x33))
                #expect(try session.hooks.freeAll(id: 1).dtorCalls == 1)
                #expect(try session.hooks.get(.named("a"), id: 2, length: 8).data == bytes(0x22, 8))
                #expect(try session.hooks.get(.null, id: 2, length: 8).data == bytes(0x33, 8))
                #expect(try session.stats()[id: 2].live == 2)
            }
        }

        @Test("free-all of an unknown id is a no-op", .inKlpsvVM)
        func freeAllUnknown() throws {
            try Fixture.run { session in
                _ = try session.hooks.alloc(.null, id: 1, size: 8)
                let before = try session.stats()
                #expect(try session.hooks.freeAll(id: 999) == FreeResult(dtorCalls: 0, dtorOK: true))
                let after = try session.stats()
                #expect(after.total == before.total)
                #expect(after[id: 999].live == 0)
                #expect(try session.hooks.get(.null, id: 1).found)
            }
        }
    }
}
