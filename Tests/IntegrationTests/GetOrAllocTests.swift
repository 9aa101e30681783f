import ShadowKit
import Testing

extension InVM {
    @Suite("get-or-alloc")
    struct GetOrAllocTests {
        @Test("get-or-alloc creates a missing shadow, running the ctor once", .inKlpsvVM)
        func createsWhenMissing() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let result = try session.hooks.getOrAlloc(.named("a"), id: 1, size: 32, ctor: .fill(0x44))
                #expect(result.found)
                #expect(result.ctorCalls == 1)
                #expect(result.ctorOK && result.ctorAtomic)
                #expect(result.data == bytes(0x44, 32))
                #expect(try session.hooks.get(.named("a"), id: 1).ptr == result.ptr)
            }
        }

        @Test("get-or-alloc returns the existing shadow untouched", .inKlpsvVM)
        func returnsExisting() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let existing = try session.hooks.alloc(.named("a"), id: 1, size: 32, ctor: .fill(0x55))
                let result = try session.hooks.getOrAlloc(.named("a"), id: 1, size: 32, ctor: .fill(0x66))
                #expect(result.found)
                #expect(result.ptr == existing.ptr)
                #expect(result.ctorCalls == 0)
                #expect(result.data == bytes(0x55, 32))
                #expect(try session.stats()[id: 1].allocs == 1)
            }
        }

        @Test("get-or-alloc with a failing ctor leaves nothing behind", .inKlpsvVM)
        func failingConstructor() throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let result = try session.hooks.getOrAlloc(.named("a"), id: 1, size: 32, ctor: .fail(12))
                #expect(!result.found)
                #expect(result.ctorCalls == 1)
                #expect(!(try session.hooks.get(.named("a"), id: 1).found))
                #expect(try session.stats()[id: 1].live == 0)
                #expect(try session.stats()[id: 1].allocs == 0)
            }
        }
    }
}
