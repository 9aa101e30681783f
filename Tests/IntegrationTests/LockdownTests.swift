import Foundation
import ShadowKit
import Testing

extension InVM {
    /// klpsv under the kernel's lockdown, which Secure Boot turns on. Run by
    /// `scripts/test-package` in VMs of their own, as `KLPSV_LOCKDOWN_TEST`
    /// says: `boot`, a VM booted with `lockdown=integrity`; `raise`, a VM
    /// whose test raises it to integrity once klpsv is loaded (a lockdown
    /// is never lowered, so nothing may run after it in that VM).
    @Suite("lockdown", .enabled(if: ProcessEnvironment.value("KLPSV_LOCKDOWN_TEST") != nil,
                                "needs a VM of its own (scripts/test-package)"))
    struct LockdownTests {
        static let path = "/sys/kernel/security/lockdown"

        /// Mounts securityfs when the guest has not, and returns the lockdown.
        static func lockdown() throws -> Lockdown? {
            if !FileManager.default.fileExists(atPath: path) {
                _ = try runInstalled("/bin/mount", "-t", "securityfs", "securityfs", "/sys/kernel/security")
            }
            return Lockdown.current()
        }

        @Test("booted with lockdown=integrity: status says what works; an unsigned klpsv is refused, nothing loads",
              .enabled(if: ProcessEnvironment.value("KLPSV_LOCKDOWN_TEST") == "boot"))
        func bootedLockedDown() throws {
            #expect(try Self.lockdown() == Lockdown(level: .integrity))
            let cursor = try KernelLogCursor()
            let status = try ShadowctlRun("status", "--json")
            #expect(status.status == 4, "klpsv is not loaded")
            #expect(status.output.contains("\"lockdown\":{\"effects\":["), "\(status.output)")
            #expect(status.output.contains("\"level\":\"integrity\""))
            let load = try ShadowctlRun("load", "--dir", try Integration.moduleDirectory())
            #expect(load.status == 3, "\(load.error)")
            #expect(load.error.contains("could not load klpsv"))
            #expect(load.error.contains("lockdown (integrity) is on: see 'shadowctl status'"), "\(load.error)")
            #expect(!ModuleLoader().isLoaded(KlpsvModule.store))
            let log = try cursor.read()
            #expect(!log.lines(matching: "Lockdown").isEmpty, "the kernel did not say why: \(log.messages)")
            Fixture.expectClean(log)
        }

        @Test("lockdown raised with klpsv loaded: its read-only files keep working, writable ones are closed",
              .enabled(if: ProcessEnvironment.value("KLPSV_LOCKDOWN_TEST") == "raise"))
        func raisedWithKlpsvLoaded() throws {
            #expect(try Self.lockdown()?.level == Lockdown.Level.none)
            let cursor = try KernelLogCursor()
            let loader = ModuleLoader()
            try loader.load(Integration.modulePath(KlpsvModule.store))
            try loader.load(Integration.modulePath(KlpsvModule.hooks))
            let hooks = try TestHooks(debugfs: KlpsvDebugfs())
            _ = try hooks.newObject("locked")
            #expect(try hooks.alloc(.named("locked"), id: 3, size: 8).found)

            try LocalFileAccess().write("integrity\n", to: Self.path)
            #expect(try Self.lockdown() == Lockdown(level: .integrity))
            for command in [["stats"], ["list"], ["states"], ["patches"], ["patches", "--all"]] {
                let run = try ShadowctlRun(arguments: command + ["--json"])
                #expect(run.status == 0, "\(command): \(run.error)")
            }
            #expect(try KlpsvDebugfs().stats()[id: 3].live == 1)
            let get = try ShadowctlRun("get", "locked", "3", "--json")
            #expect(get.status == 3, "\(get.error)")
            #expect(get.error.contains("lockdown (integrity) is on"), "\(get.error)")
            let status = try ShadowctlRun("status")
            #expect(status.status == 0, "\(status.error)")
            #expect(status.output.contains("lockdown    integrity"), "\(status.output)")

            // Unloading is not locked down: the modules go, their shadows with them.
            try loader.unload(KlpsvModule.hooks)
            try loader.unload(KlpsvModule.store)
            #expect(!loader.isLoaded(KlpsvModule.store))
            Fixture.expectClean(try cursor.read())
        }
    }
}
