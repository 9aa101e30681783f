#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `scripts/vm` on the host, where no VM boots: its own status for what
/// fails before the guest, its lock, and its fresh `out/` folder.
@Suite("scripts/vm before the guest")
struct VMScriptTests {
    /// scripts/vm's status for a failure on the host.
    static let hostFailure: Int32 = 123

    /// Runs `scripts/vm arguments…` with `KLPSV_VM_STATE=state`.
    static func run(_ arguments: [String], state: URL) throws -> (status: Int32, standardError: String) {
        let process = Process()
        process.executableURL = ContractTests.repository.appendingPathComponent("scripts/vm")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KLPSV_VM_STATE"] = state.path
        process.environment = environment
        let error = Pipe()
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: text, as: UTF8.self))
    }

    static func makeState() throws -> URL {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("klpsv-vm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: state.appendingPathComponent("out"), withIntermediateDirectories: true)
        return state
    }

    @Test func aHostFailureHasAStatusOfItsOwnAndEmptiesOut() throws {
        let state = try Self.makeState()
        defer { try? FileManager.default.removeItem(at: state) }
        let stale = state.appendingPathComponent("out/results.json")
        try Data("{}".utf8).write(to: stale)
        let outcome = try Self.run(["--kernel", "/nonexistent/build", "--", "true"], state: state)
        #expect(outcome.status == Self.hostFailure)
        #expect(outcome.standardError == "vm: no /nonexistent/build/arch/x86/boot/bzImage: not a kernel build directory\n")
        #expect(!FileManager.default.fileExists(atPath: stale.path), "an earlier run's result was left in out/")
    }

    @Test func aSecondRunOnTheSameStateIsRefused() throws {
        let state = try Self.makeState()
        defer { try? FileManager.default.removeItem(at: state) }
        // The first run: this test holds the folder's lock, as a run would.
        let lock = open(state.appendingPathComponent("lock").path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        try #require(lock >= 0)
        defer { close(lock) }
        try #require(flock(lock, LOCK_EX | LOCK_NB) == 0)
        let kept = state.appendingPathComponent("out/dmesg.log")
        try Data("first run".utf8).write(to: kept)
        let outcome = try Self.run(["--kernel", "/nonexistent/build", "--", "true"], state: state)
        #expect(outcome.status == Self.hostFailure)
        #expect(outcome.standardError.hasPrefix("vm: another scripts/vm run uses \(state.path); "))
        #expect(FileManager.default.fileExists(atPath: kept.path), "the refused run touched the first run's out/")
    }

    @Test func aUsageErrorIsStillTwo() throws {
        let state = try Self.makeState()
        defer { try? FileManager.default.removeItem(at: state) }
        #expect(try Self.run(["--timeout", "soon", "--", "true"], state: state).status == 2)
    }
}
