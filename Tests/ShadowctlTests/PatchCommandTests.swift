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

    @Test("a patch or module that does not exist is not found (5), whatever the command",
          arguments: [["patch", "unload", "no_such_patch"], ["patch", "enable", "no_such_patch"],
                      ["patch", "disable", "no_such_patch"], ["patch", "disable", "no-such-patch"]])
    func aMissingPatchIsNotFound(arguments: [String]) throws {
        let sysfs = try FakeDebugfs(Self.sysfs)
        defer { sysfs.remove() }
        let outcome = try ShadowctlRunner.run(arguments, livepatch: sysfs.path)
        #expect(outcome.status == 5)
        #expect(outcome.standardError.contains("no_such_patch"))
    }

    @Test func aMissingPatchFileIsReportedBeforeKlpsvIsLoaded() throws {
        let sysfs = try FakeDebugfs(Self.sysfs)
        defer { sysfs.remove() }
        let outcome = try ShadowctlRunner.run(["patch", "load", "/nonexistent/foo.ko"], livepatch: sysfs.path)
        #expect(outcome.status == 5)
        #expect(outcome.standardError
            == "shadowctl: could not load foo from /nonexistent/foo.ko: Module file not found (No such file or directory)\n")
    }

    @Test func patchNamesAreReadAsTheKernelReadsModuleNames() throws {
        let sysfs = try FakeDebugfs(["livepatch_foo/enabled": "1\n", "livepatch_foo/transition": "0\n"])
        defer { sysfs.remove() }
        let outcome = try ShadowctlRunner.run(["patch", "disable", "livepatch-foo", "--json"], livepatch: sysfs.path)
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("\"patch\":\"livepatch_foo\""))
        #expect(try String(contentsOfFile: sysfs.path + "/livepatch_foo/enabled", encoding: .utf8) == "0\n")
    }

    @Test func everyLivepatchIsListedWithAll() throws {
        let sysfs = try FakeDebugfs([
            "livepatch_sample/enabled": "1\n", "livepatch_sample/transition": "0\n",
            "klpsv_fix1/enabled": "1\n", "klpsv_fix1/transition": "1\n",
        ])
        defer { sysfs.remove() }
        let debugfs = try FakeDebugfs(["klpsv/patches": "patch phase replace states\nklpsv_fix1 enabling yes 1:shadow\n"])
        defer { debugfs.remove() }
        let text = try ShadowctlRunner.run(["patches", "--all"], debugfs: debugfs.path, livepatch: sysfs.path)
        #expect(text.status == 0)
        #expect(text.standardOutput == """
            patch             enabled  transition  klpsv     states
            klpsv_fix1        yes      yes         enabling  1:shadow
            livepatch_sample  yes      no          -         -

            """)
        let withoutKlpsv = try ShadowctlRunner.run(["patches", "--all", "--json"], debugfs: "/nonexistent",
                                                   livepatch: sysfs.path)
        #expect(withoutKlpsv.status == 0)
        #expect(withoutKlpsv.standardOutput == """
            [{"enabled":true,"klpsv":null,"name":"klpsv_fix1","transition":true},\
            {"enabled":true,"klpsv":null,"name":"livepatch_sample","transition":false}]

            """)
    }
}
