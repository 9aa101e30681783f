#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import ShadowKit
import SystemPackage
import Testing

extension InVM {
    /// Malformed and random writes to every writable debugfs file and
    /// module parameter of our modules, ``FuzzTarget/inputCount`` for each:
    /// every one refused with an errno, nothing changed (compared every
    /// ``FuzzTarget/checkpointInterval`` inputs), and the kernel log quiet.
    /// The inputs are made by ``FuzzInputs`` from a seed printed with the
    /// figures (`KLPSV_FUZZ_SEED` repeats a run).
    @Suite("fuzz")
    struct FuzzTests {
        /// Lines our modules may log during a whole target's inputs: at
        /// most a few rate-limited ones.
        static let logLinesAllowed = 10

        /// Objects and shadows for the inputs not to touch.
        static func populate(_ session: KlpsvSession) throws {
            _ = try session.hooks.newObject("a")
            _ = try session.hooks.newObject("b", size: 128)
            _ = try session.hooks.alloc(.named("a"), id: 1, size: 16, ctor: .fill(0x5a))
            _ = try session.hooks.alloc(.named("b"), id: 1, size: 24)
            _ = try session.hooks.alloc(.null, id: 2, size: 8, ctor: .fill(7))
        }

        /// The state a refused write must leave as it was: the snapshot's
        /// files, and what read-only hook commands return.
        static func snapshot(_ session: KlpsvSession, extra: [String: () throws -> String] = [:]) throws -> StateSnapshot {
            var probes: [String: () throws -> String] = [
                "obj list": { try session.hooks.send(rawLine: "obj list") },
                "get a 1 len=16": { try session.hooks.send(rawLine: "get a 1 len=16") },
                "get null 2 len=8": { try session.hooks.send(rawLine: "get null 2 len=8") },
            ]
            probes.merge(extra) { $1 }
            return try StateSnapshot(probes: probes)
        }

        /// Runs `targets` one after the other, each compared at every
        /// checkpoint with the state taken once its file was open, and
        /// each with a quiet kernel log.
        static func fuzz(_ targets: [FuzzTarget], _ session: KlpsvSession,
                         extra: [String: () throws -> String] = [:]) throws {
            for target in targets {
                var before: StateSnapshot?
                let logged = try session.cursor.read().records.count
                let report = try target.run(started: { before = try snapshot(session, extra: extra) }) {
                    try session.pollLog()
                    try snapshot(session, extra: extra).expectUnchanged(since: before!, target.name)
                }
                #expect(report.inputs >= FuzzTarget.inputCount)
                #expect(report.failureCount == 0, "\(report)")
                // What the inputs made the kernel log; a data race KCSAN
                // found elsewhere in the kernel meanwhile is not ours.
                let log = try session.cursor.read()
                let foreign = Fixture.foreignKCSANReports(in: log)
                let lines = log.records.indices.dropFirst(logged)
                    .filter { index in !foreign.contains { $0.range.contains(index) } }
                    .map { log.records[$0] }
                #expect(lines.count <= logLinesAllowed,
                        "\(target.name): \(lines.count) kernel log lines: \(lines.prefix(5).map(\.message))")
            }
        }

        static func parameter(_ module: String, _ name: String) -> String {
            "/sys/module/\(module)/parameters/\(name)"
        }

        @Test("klpsv_test's ctl: every malformed command refused with EINVAL; the file keeps its last result",
              .inKlpsvVM)
        func hookControl() throws {
            try Fixture.run { session in
                try Self.populate(session)
                var kept: String?
                var target = FuzzTarget(name: "klpsv_test ctl", path: session.debugfs.controlPath, mode: .readWrite,
                                        allowed: [.invalidArgument], makeInput: FuzzInputs.hookCommand)
                // Before the inputs, a command of this file's own; after
                // them, its result must still be there.
                target.opened = { fd in kept = try fd.command("get a 1 len=16\n") }
                target.finished = { fd in
                    let result = try fd.result()
                    #expect(result == kept, "a refused command replaced the file's result")
                }
                try Self.fuzz([target], session)
                #expect(kept?.hasPrefix("found=1 ") == true)
            }
        }

        @Test("klpsv's strict, rebuild_work and list_max, klpsv_test's cleanup_on_exit: malformed values refused", .inKlpsvVM)
        func storeAndHookParameters() throws {
            try Fixture.run { session in
                try Self.populate(session)
                try Self.fuzz([
                    FuzzTarget(name: "klpsv strict", path: Self.parameter(KlpsvModule.store, "strict"),
                               allowed: [.invalidArgument], makeInput: FuzzInputs.boolParameter),
                    FuzzTarget(name: "klpsv rebuild_work", path: Self.parameter(KlpsvModule.store, "rebuild_work"),
                               allowed: [.invalidArgument], makeInput: FuzzInputs.boolParameter),
                    FuzzTarget(name: "klpsv list_max", path: Self.parameter(KlpsvModule.store, "list_max"),
                               allowed: [.invalidArgument, .outOfRange]) {
                        FuzzInputs.unsignedParameter(valid: { (1...65536).contains($0) }, &$0)
                    },
                    FuzzTarget(name: "klpsv_test cleanup_on_exit",
                               path: Self.parameter(KlpsvModule.hooks, "cleanup_on_exit"),
                               allowed: [.invalidArgument], makeInput: FuzzInputs.boolParameter),
                ], session)
            }
        }

        @Test("klpsv_target's ctl, churn_ms and churn_keep: malformed values refused, no object made or freed",
              .inKlpsvVM)
        func sampleTarget() throws {
            try Fixture.runWithSamples { session, samples, _ in
                try Self.populate(session)
                try samples.command("new 5")
                try samples.command("free 2")
                let objects = { try samples.objects().joined(separator: "\n") }
                try Self.fuzz([
                    FuzzTarget(name: "klpsv_target ctl", path: Samples.directory + "/ctl",
                               allowed: [.invalidArgument], makeInput: FuzzInputs.targetCommand),
                    FuzzTarget(name: "klpsv_target churn_ms", path: Self.parameter(Samples.target, "churn_ms"),
                               allowed: [.invalidArgument, .outOfRange]) {
                        FuzzInputs.unsignedParameter(valid: { $0 == 0 || (10...60000).contains($0) }, &$0)
                    },
                    FuzzTarget(name: "klpsv_target churn_keep", path: Self.parameter(Samples.target, "churn_keep"),
                               allowed: [.invalidArgument, .outOfRange]) {
                        FuzzInputs.unsignedParameter(valid: { (1...1000).contains($0) }, &$0)
                    },
                ], session, extra: ["klpsv_target objects": objects])
                #expect(try samples.objects() == ["serial 3", "serial 4", "serial 5"])
            }
        }

        @Test("klpsv_bench's ctl: malformed run commands refused with EINVAL, nothing run", .inKlpsvVM)
        func benchControl() throws {
            try Fixture.run { session in
                try session.loader.load(Integration.modulePath(KlpsvBench.module))
                defer { try? session.loader.unload(KlpsvBench.module) }
                try Self.populate(session)
                let path = KlpsvBench(debugfs: session.debugfs).directory + "/ctl"
                var target = FuzzTarget(name: "klpsv_bench ctl", path: path, mode: .readWrite,
                                        allowed: [.invalidArgument], makeInput: FuzzInputs.benchCommand)
                target.finished = { fd in
                    let result = try fd.result()
                    #expect(result == "", "a refused run left a result")
                }
                try Self.fuzz([target], session)
                #expect(try session.stats().rows.allSatisfy { $0.id != BenchModuleTests.benchID }, "nothing ran")
            }
        }

        @Test("the virtual patches' enable: refused but for true on a deferred patch, which then enables it once",
              .inKlpsvVM)
        func virtualPatchEnable() throws {
            try Fixture.runWithPatches { session, patches in
                try Self.populate(session)
                #expect(try patches.load(1, states: "1", extra: ["deferred=1"], wait: false) == nil)
                #expect(try patches.load(2, states: "2") == nil)
                let deferred = Self.parameter(VirtualPatches.name(1), "enable")
                try Self.fuzz([
                    FuzzTarget(name: "klpsv_vp1 enable (deferred=1)", path: deferred,
                               allowed: [.invalidArgument], makeInput: FuzzInputs.trueOnlyParameter),
                    FuzzTarget(name: "klpsv_vp2 enable (not deferred)", path: Self.parameter(VirtualPatches.name(2), "enable"),
                               allowed: [.invalidArgument], makeInput: FuzzInputs.anyParameter),
                ], session)
                #expect(try session.debugfs.patches().rows.map(\.name) == [VirtualPatches.name(2)])
                // The deferred patch still enables, once.
                try LocalFileAccess().write("1\n", to: deferred)
                try patches.waitForTransition(1)
                #expect(try session.debugfs.patches().rows.map(\.name) == [VirtualPatches.name(2), VirtualPatches.name(1)])
                #expect(throws: Errno.resourceBusy) { try LocalFileAccess().write("1\n", to: deferred) }
            }
        }
    }
}

extension FileDescriptor {
    /// Writes `line` with one `write()` and returns the file's result, read
    /// with `pread()` at offset 0.
    func command(_ line: String) throws -> String {
        let bytes = Array(line.utf8)
        let written = try bytes.withUnsafeBytes { try write($0) }
        if written != bytes.count { throw Errno.ioError }
        return try result()
    }

    /// The file's result: what `pread()` at offset 0 returns, up to 4096 bytes.
    func result() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = try buffer.withUnsafeMutableBytes { try read(fromAbsoluteOffset: 0, into: $0) }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }
}
