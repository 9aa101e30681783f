import ShadowKit
import SystemPackage
import Testing

@Suite("klpsv debugfs access")
struct KlpsvDebugfsTests {
    static let stats = "id live bytes allocs frees memory variables table pending\n"
        + "1 1 8 1 0 1056 32 1024 0\ntotal 1 8 1 0 1056 32 1024 0\n"

    static func loaded() -> FakeFiles {
        FakeFiles(
            files: ["/proc/mounts": FakeFiles.debugfsMounted,
                    "/sys/kernel/debug/klpsv/stats": stats,
                    "/sys/kernel/debug/klpsv/shadows": "id obj size\n1 null 8\n"],
            directories: ["/sys/kernel/debug", "/sys/kernel/debug/klpsv"])
    }

    @Test func readsStatsAndShadows() throws {
        let debugfs = KlpsvDebugfs(files: Self.loaded())
        #expect(try debugfs.stats().total.live == 1)
        #expect(try debugfs.shadows().entries == [.init(id: 1, object: nil, size: 8)])
        #expect(try debugfs.statsText() == Self.stats)
    }

    @Test func debugfsMustBeMounted() {
        let files = FakeFiles(files: ["/proc/mounts": "sysfs /sys sysfs rw 0 0\n"])
        let error = #expect(throws: DebugfsError.self) { try KlpsvDebugfs(files: files).stats() }
        #expect(error?.code == .notMounted)
        #expect(error?.description
            == "debugfs is not mounted at /sys/kernel/debug (mount -t debugfs none /sys/kernel/debug)")
    }

    @Test func klpsvMustBeLoaded() {
        let files = FakeFiles(files: ["/proc/mounts": FakeFiles.debugfsMounted], directories: ["/sys/kernel/debug"])
        let error = #expect(throws: DebugfsError.self) { try KlpsvDebugfs(files: files).shadows() }
        #expect(error?.code == .moduleNotLoaded)
        #expect(error?.module == "klpsv")
        #expect(error?.description == "klpsv is not loaded (no /sys/kernel/debug/klpsv)")
    }

    @Test func debugfsIsForRoot() {
        let files = FakeFiles(files: ["/proc/mounts": FakeFiles.debugfsMounted],
                              failures: ["/sys/kernel/debug/klpsv": .permissionDenied])
        let error = #expect(throws: DebugfsError.self) { try KlpsvDebugfs(files: files).stats() }
        #expect(error?.code == .permissionDenied)
        #expect(error?.description
            == "cannot access /sys/kernel/debug/klpsv: Permission denied (are you root?)")
    }

    @Test func otherReadErrorsAreIOFailures() {
        let files = Self.loaded()
        let failing = FakeFiles(
            files: ["/proc/mounts": FakeFiles.debugfsMounted],
            directories: ["/sys/kernel/debug/klpsv"],
            failures: ["/sys/kernel/debug/klpsv/stats": .ioError])
        #expect(throws: Never.self) { try KlpsvDebugfs(files: files).stats() }
        let error = #expect(throws: DebugfsError.self) { try KlpsvDebugfs(files: failing).stats() }
        #expect(error?.code == .ioFailure)
        #expect(error?.errno == .ioError)
    }

    @Test func anOverriddenRootIsNotCheckedForAMount() throws {
        let files = FakeFiles(files: ["/tmp/fake/klpsv/stats": Self.stats], directories: ["/tmp/fake/klpsv"])
        let debugfs = KlpsvDebugfs(root: "/tmp/fake", verifiesMount: false, files: files)
        #expect(try debugfs.stats().total.bytes == 8)
        #expect(debugfs.controlPath == "/tmp/fake/klpsv_test/ctl")
    }
}
