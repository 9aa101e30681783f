import ShadowKit
import SystemPackage
import Testing

extension InVM {
    @Suite("ctl protocol")
    struct ControlProtocolTests {
        struct Malformed: Sendable, CustomTestStringConvertible {
            var what: String
            var line: String
            var errno: Errno
            var testDescription: String { what }
        }

        static let commands = [
            Malformed(what: "unknown verb", line: "frobnicate 1", errno: .invalidArgument),
            Malformed(what: "bad id", line: "get null 12x", errno: .invalidArgument),
            Malformed(what: "size too big", line: "alloc null 3 1048577", errno: .invalidArgument),
            Malformed(what: "missing token", line: "alloc null 3", errno: .invalidArgument),
            Malformed(what: "extra token", line: "get null 1 2", errno: .invalidArgument),
            Malformed(what: "unknown ctor", line: "alloc null 3 8 ctor=zero", errno: .invalidArgument),
            Malformed(what: "option twice", line: "alloc null 3 8 gfp=kernel gfp=atomic", errno: .invalidArgument),
            Malformed(what: "null as a name", line: "obj new null", errno: .invalidArgument),
            Malformed(what: "unknown object", line: "alloc nosuch 3 8", errno: .noSuchFileOrDirectory),
            Malformed(what: "duplicate object", line: "obj new a", errno: .fileExists),
            Malformed(what: "300-byte line",
                      line: "alloc null 3 8" + String(repeating: " ", count: 286), errno: .invalidArgument),
        ]

        @Test("a refused command fails with its errno and changes nothing", .inKlpsvVM, arguments: commands)
        func refusedCommand(_ command: Malformed) throws {
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.alloc(.named("a"), id: 1, size: 16, ctor: .fill(0x5a))
                _ = try session.hooks.alloc(.null, id: 2, size: 8)
                let stats = try session.debugfs.statsText()
                let shadows = try session.debugfs.shadowsText()
                let objects = try session.hooks.listObjects()
                let error = #expect(throws: HookError.self) { try session.hooks.send(rawLine: command.line) }
                #expect(error?.errno == command.errno)
                #expect(try session.debugfs.statsText() == stats)
                #expect(try session.debugfs.shadowsText() == shadows)
                #expect(try session.hooks.listObjects() == objects)
                #expect(try session.hooks.get(.named("a"), id: 1, length: 16).data == bytes(0x5a, 16))
            }
        }
    }
}
