import ShadowKit
import Testing

extension InVM {
    @Suite("shadow keys")
    struct KeyTests {
        @Test("a global shadow (NULL object) can be allocated, found and freed", .inKlpsvVM)
        func globalShadow() throws {
            try Fixture.run { session in
                let allocated = try session.hooks.alloc(.null, id: 3, size: 16, ctor: .fill(0x5a))
                #expect(allocated.found && allocated.ctorCalls == 1 && allocated.ctorOK)
                let got = try session.hooks.get(.null, id: 3, length: 16)
                #expect(got.ptr == allocated.ptr)
                #expect(got.data == bytes(0x5a, 16))
                #expect(try session.hooks.free(.null, id: 3) == FreeResult(dtorCalls: 1, dtorOK: true))
                #expect(!(try session.hooks.get(.null, id: 3).found))
            }
        }

        @Test("the NULL object and a named object with the same id are distinct", .inKlpsvVM)
        func nullAndNamedAreDistinct() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let global = try session.hooks.alloc(.null, id: 4, size: 8, ctor: .fill(1))
                let named = try session.hooks.alloc(.named("a"), id: 4, size: 8, ctor: .fill(2))
                #expect(global.found && named.found)
                #expect(global.ptr != named.ptr)
                #expect(try session.hooks.get(.null, id: 4, length: 8).data == bytes(1, 8))
                #expect(try session.hooks.get(.named("a"), id: 4, length: 8).data == bytes(2, 8))
                try session.hooks.free(.null, id: 4)
                #expect(try session.hooks.get(.named("a"), id: 4).ptr == named.ptr)
            }
        }

        @Test("one object's shadows with different ids are distinct", .inKlpsvVM)
        func idsAreDistinct() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let one = try session.hooks.alloc(.named("a"), id: 1, size: 8, ctor: .fill(1))
                let two = try session.hooks.alloc(.named("a"), id: 2, size: 8, ctor: .fill(2))
                #expect(one.found && two.found)
                #expect(one.ptr != two.ptr)
                try session.hooks.free(.named("a"), id: 1)
                let kept = try session.hooks.get(.named("a"), id: 2, length: 8)
                #expect(kept.ptr == two.ptr)
                #expect(kept.data == bytes(2, 8))
            }
        }
    }
}
