import ShadowKit
import Testing

@Suite("/proc/mounts parser")
struct MountTableTests {
    @Test func findsTheTypeMountedAtAPath() {
        let table = MountTable(parsing: FakeFiles.debugfsMounted)
        #expect(table.type(at: "/sys/kernel/debug") == "debugfs")
        #expect(table.type(at: "/sys") == "sysfs")
        #expect(table.type(at: "/mnt") == nil)
    }

    @Test func theLastMountAtAPathWins() {
        let table = MountTable(parsing: "debugfs /d debugfs rw 0 0\ntmpfs /d tmpfs rw 0 0\n")
        #expect(table.type(at: "/d") == "tmpfs")
    }

    @Test func decodesOctalEscapesInMountPoints() {
        let table = MountTable(parsing: "none /mnt/my\\040debug debugfs rw 0 0\n")
        #expect(table.mounts.first?.mountPoint == "/mnt/my debug")
    }
}
