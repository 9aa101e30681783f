import Foundation
import ShadowKit
import Testing

extension InVM {
    /// klpsv as the klpsv-dkms and shadowctl packages install it: DKMS's
    /// signed build for the running kernel, the packaged shadowctl, and a
    /// livepatch built out of the tree against the package. Run by
    /// `scripts/test-package` (part of `make test`), which installs the
    /// packages first and sets `KLPSV_PACKAGE_TEST=1`.
    @Suite("the installed packages", .enabled(if: ProcessEnvironment.value("KLPSV_PACKAGE_TEST") == "1",
                                              "needs the packages installed (scripts/test-package)"))
    struct PackageTests {
        @Test("shadowctl loads DKMS's signed klpsv.ko, which the tree's klpsv_test drives")
        func theDKMSModuleLoadsAndWorks() throws {
            let release = try Installed.release
            let cursor = try KernelLogCursor()
            let load = try runInstalled(Installed.shadowctl, "load")
            #expect(load.status == 0, "\(load.error)")
            let loaded = try #require(load.output.firstMatch(of: /loaded klpsv from (\S+)/)?.1)
            #expect(loaded.hasPrefix("/lib/modules/\(release)/updates/dkms/klpsv.ko"), "\(load.output)")
            #expect(try Installed.modinfo("signer", String(loaded)) == Installed.signer)
            #expect(ModuleLoader().isLoaded(KlpsvModule.store))
            let loader = ModuleLoader()
            try loader.load(Integration.modulePath(KlpsvModule.hooks))
            let hooks = try TestHooks(debugfs: KlpsvDebugfs())
            _ = try hooks.newObject("pkg")
            #expect(try hooks.alloc(.named("pkg"), id: 7, size: 16, ctor: .fill(0x5a)).found)
            #expect(try hooks.get(.named("pkg"), id: 7, length: 4).data == [0x5a, 0x5a, 0x5a, 0x5a])
            let stats = try runInstalled(Installed.shadowctl, "stats", "--json")
            #expect(stats.status == 0 && stats.output.contains("\"live\":1"), "\(stats.output)")
            try loader.unload(KlpsvModule.hooks)
            let unload = try runInstalled(Installed.shadowctl, "unload")
            #expect(unload.status == 0, "\(unload.error)")
            #expect(!loader.isLoaded(KlpsvModule.store))
            Fixture.expectClean(try cursor.read())
        }

        @Test("a livepatch built out of the tree against the package loads, works and goes")
        func aLivepatchBuiltAgainstThePackage() throws {
            let sample = try #require(ProcessEnvironment.nonEmptyValue("KLPSV_AUTHOR_SAMPLE"),
                                      "scripts/test-package names the built sample in KLPSV_AUTHOR_SAMPLE")
            let cursor = try KernelLogCursor()
            #expect(try Installed.modinfo("depends", sample) == KlpsvModule.store)
            // klpsv is not loaded: the patch depends on it, so shadowctl loads DKMS's.
            let load = try runInstalled(Installed.shadowctl, "patch", "load", sample)
            #expect(load.status == 0, "\(load.error)")
            let cmdline = { try LocalFileAccess().contents(of: "/proc/cmdline") }
            // Other tasks of the guest may read /proc/cmdline too: each read counts.
            let reads = { () throws -> Int? in
                try cmdline().wholeMatch(of: /this has been live patched, read (\d+) times\n/).flatMap { Int($0.1) }
            }
            let first = try #require(try reads()), second = try #require(try reads())
            #expect(first >= 1 && second > first)
            #expect(try KlpsvDebugfs().stats()[id: 1].live == 1)
            let disable = try runInstalled(Installed.shadowctl, "patch", "disable", "livepatch-cmdline-reads")
            #expect(disable.status == 0, "\(disable.error)")
            #expect(try !cmdline().hasPrefix("this has been live patched"))
            #expect(try KlpsvDebugfs().stats()[id: 1].live == 0, "the state's shadow outlived the state")
            #expect(try runInstalled(Installed.shadowctl, "patch", "unload", "livepatch_cmdline_reads").status == 0)
            #expect(try runInstalled(Installed.shadowctl, "unload").status == 0)
            Fixture.expectClean(try cursor.read())
        }
    }
}
