import Foundation
import Testing

/// `shadowctl patch` on a fake livepatch sysfs directory: what it refuses,
/// and how. Real transitions are tested in the VM.
@Suite("shadowctl patch")
struct PatchCommandTests {
    static let sysfs = [
        "fix/enabled": "1\n",
        "fix/transition": "0\n",
    ]

    @Test("bad arguments are usage errors", arguments: [
        ["patch", "load", "no such"],
        ["patch", "load", "fix", "replace"],
        ["patch", "disable", "fix", "--timeout", "0"],
        ["patch", "disable", "fix", "--timeout", "3601"],
        ["patch", "enable", String(repeating: "x", count: 56)],
        ["patch", "unload"],
        ["patch", "frobnicate", "fix"],
    ])
    func badArguments(_ arguments: [String]) throws {
        let sysfs = try FakeDebugfs(Self.sysfs)
        defer { sysfs.remove() }
        let outcome = try ShadowctlRunner.run(arguments, livepatch: sysfs.path)
        #expect(outcome.status == 2)
        #expect(outcome.standardOutput == "")
        #expect(outcome.standardError.hasPrefix("shadowctl: "))
    }

    @Test func anUnknownPatchIsNotFound() throws {
        let sysfs = try FakeDebugfs(Self.sysfs)
        defer { sysfs.remove() }
        let outcome = try ShadowctlRunner.run(["patch", "disable", "nothing"], livepatch: sysfs.path)
        #expect(outcome.status == 5)
        #expect(outcome.standardError == "shadowctl: no livepatch nothing (no \(sysfs.path)/nothing)\n")
    }

    @Test func enablingAnEnabledPatchIsExplainedAndWritesNothing() throws {
        let sysfs = try FakeDebugfs(Self.sysfs)
        defer { sysfs.remove() }
        let outcome = try ShadowctlRunner.run(["patch", "enable", "fix"], livepatch: sysfs.path)
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("no disable of it is in flight"))
        let enabled = try String(contentsOfFile: sysfs.path + "/fix/enabled", encoding: .utf8)
        #expect(enabled == "1\n")
    }

    @Test func withoutLivepatchSupportTheCommandsAreUnavailable() throws {
        let outcome = try ShadowctlRunner.run(["patch", "disable", "fix"], livepatch: "/nonexistent/livepatch")
        #expect(outcome.status == 4)
        #expect(outcome.standardError == "shadowctl: the kernel has no livepatch support (no /nonexistent/livepatch)\n")
    }

    @Test func unloadingAModuleThatIsNotLoadedIsUnavailable() throws {
        let sysfs = try FakeDebugfs(Self.sysfs)
        defer { sysfs.remove() }
        let outcome = try ShadowctlRunner.run(["patch", "unload", "klpsv_no_such_module"], livepatch: sysfs.path)
        #expect(outcome.status == 4)
        #expect(outcome.standardError.contains("klpsv_no_such_module"))
    }
}
