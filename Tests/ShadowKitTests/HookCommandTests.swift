import ShadowKit
import Testing

@Suite("klpsv_test command lines")
struct HookCommandTests {
    @Test(arguments: [
        (HookCommand.newObject(name: "a"), "obj new a"),
        (.newObject(name: "big", size: 4096), "obj new big size=4096"),
        (.deleteObject(name: "a"), "obj del a"),
        (.listObjects, "obj list"),
        (.alloc(.named("a"), id: 1, size: 64), "alloc a 1 64 ctor=none gfp=kernel"),
        (.hold, "hold"),
        (.release, "release"),
        (.alloc(.null, id: 0xff, size: 8, ctor: .fill(0xab), gfp: .atomic),
         "alloc null 255 8 ctor=fill:0xab gfp=atomic"),
        (.getOrAlloc(.named("o.1"), id: 2, size: 0, ctor: .fail(5)),
         "get-or-alloc o.1 2 0 ctor=fail:5 gfp=kernel"),
        (.get(.named("a"), id: 1), "get a 1"),
        (.get(.null, id: 1, length: 64), "get null 1 len=64"),
        (.set(.named("a"), id: 1, byte: 255, length: 16), "set a 1 255 len=16"),
        (.free(.named("a"), id: 1), "free a 1 dtor=count"),
        (.free(.null, id: 3, dtor: .none), "free null 3 dtor=none"),
        (.freeAll(id: 18_446_744_073_709_551_615), "free-all 18446744073709551615 dtor=count"),
        (.alloc(.named("a"), id: 1, size: 8, ctor: .nest(2), gfp: .hardirq), "alloc a 1 8 ctor=nest:2 gfp=hardirq"),
        (.allocHuge(.null, id: 1, size: UInt64.max / 2), "alloc-huge null 1 9223372036854775807"),
        (.free(.named("a"), id: 1, context: .irqoff), "free a 1 dtor=count ctx=irqoff"),
        (.freeAll(id: 4, dtor: .none, context: .hardirq), "free-all 4 dtor=none ctx=hardirq"),
        (.race(id: 9), "race 9 threads=2 iterations=100000 objects=16"),
        (.race(id: 9, threads: 8, iterations: 200_000, objects: 1),
         "race 9 threads=8 iterations=200000 objects=1"),
        (.stress(id: 12, seconds: 60), "stress 12 seconds=60 threads=2 objects=16"),
        (.stress(id: 12, seconds: 1, threads: 8, objects: 1), "stress 12 seconds=1 threads=8 objects=1"),
    ])
    func rendersTheLine(command: HookCommand, line: String) {
        #expect(command.line == line)
        #expect(command.line.utf8.count <= HookLimits.maxLineLength)
    }
}

@Suite("klpsv_test arguments")
struct HookArgumentTests {
    @Test(arguments: [("0", 0), ("42", 42), ("0x2a", 42), ("0X2A", 42), ("010", 10),
                      ("18446744073709551615", UInt64.max), ("0xffffffffffffffff", UInt64.max)])
    func parsesIDs(text: String, value: UInt64) throws {
        #expect(try HookNumber.parseID(text) == value)
    }

    @Test(arguments: ["", "12x", "-1", "+1", "0x", "0xg", " 1", "1.5", "18446744073709551616", "١٢"])
    func refusesBadIDs(text: String) {
        let error = #expect(throws: InvalidArgument.self) { try HookNumber.parseID(text) }
        #expect(error?.description == "invalid id '\(text)': expected an unsigned decimal or 0x hex number")
    }

    @Test func boundsSizes() throws {
        #expect(try HookNumber.parse("1048576", as: "size", in: HookLimits.shadowSizes) == 1_048_576)
        let error = #expect(throws: InvalidArgument.self) {
            try HookNumber.parse("1048577", as: "size", in: HookLimits.shadowSizes)
        }
        #expect(error?.description
            == "invalid size '1048577': expected a decimal or 0x hex number from 0 to 1048576")
    }

    @Test(arguments: ["a", "obj_1", "A.b-c", String(repeating: "x", count: 31), "nul", "nulls"])
    func acceptsObjectNames(name: String) {
        #expect(ObjectName.isValid(name))
    }

    @Test(arguments: ["", "a b", "a/b", "ä", String(repeating: "x", count: 32), "null", "a=b"])
    func refusesObjectNames(name: String) {
        #expect(!ObjectName.isValid(name))
        #expect(throws: InvalidArgument.self) { try ObjectName.validate(name) }
    }

    @Test func nullIsTheNullObject() throws {
        #expect(try ShadowObject(parsing: "null") == .null)
        #expect(try ShadowObject(parsing: "a") == .named("a"))
        #expect(ShadowObject.null.token == "null")
        #expect("\(ShadowObject.named("a"))" == "obj a")
    }

    @Test(arguments: [("none", Constructor.none), ("fill:171", .fill(0xab)), ("fill:0xab", .fill(0xab)),
                      ("fill:0", .fill(0)), ("fail:5", .fail(5)), ("fail:4095", .fail(4095)),
                      ("nest:7", .nest(7)), ("nest:0x10", .nest(16))])
    func parsesConstructors(text: String, ctor: Constructor) throws {
        #expect(try Constructor(parsing: text) == ctor)
    }

    @Test(arguments: ["", "fill", "fill:", "fill:256", "fail:0", "fail:4096", "fail:-5", "none:1", "zero",
                      "nest", "nest:", "nest:-1"])
    func refusesConstructors(text: String) {
        #expect(throws: InvalidArgument.self) { try Constructor(parsing: text) }
    }

    @Test func parsesModes() throws {
        #expect(try GFP(parsing: "atomic") == .atomic)
        #expect(try GFP(parsing: "hardirq") == .hardirq)
        #expect(try CallContext(parsing: "irqoff") == .irqoff)
        #expect(throws: InvalidArgument.self) { try CallContext(parsing: "kernel") }
        #expect(try Destructor(parsing: "none") == .none)
        #expect(throws: InvalidArgument.self) { try GFP(parsing: "GFP_ATOMIC") }
        #expect(throws: InvalidArgument.self) { try Destructor(parsing: "counted") }
    }
}
