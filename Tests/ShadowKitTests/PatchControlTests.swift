import ShadowKit
import Testing

@Suite("driving livepatches")
struct PatchControlTests {
    @Test func loadingAReplacementReportsWhatItReplacedIntroducedAndKept() throws {
        let system = FakeLivepatchSystem()
        system.files.setFile("/kmod/fix2.ko", "")
        system.setPatch("fix1", enabled: true)
        system.setStates("1 in-force shadow yes 5 fix1\n")
        system.setPatches("fix1 enabled yes 1:shadow\n")
        // What fix2's module init does: its patch appears, its transition starts.
        system.setPatch("fix2", enabled: true, transition: true)
        system.clock.at(.seconds(2)) {
            system.setPatch("fix2", enabled: true)
            system.setPatch("fix1", enabled: false)
            system.setStates("1 in-force shadow yes 5 fix2\n2 in-force - yes 0 fix2\n")
            system.setPatches("fix2 enabled yes 1:shadow,2:-\n")
        }
        var progress: [Duration] = []
        let report = try system.control.load("/kmod/fix2.ko", parameters: ["replace=1"]) { progress.append($0) }
        #expect(system.kmod.calls.contains("insert /kmod/fix2.ko 'replace=1'"))
        #expect(report.step == .load)
        #expect(report.endedEnabled)
        #expect(report.replaced == ["fix1"])
        #expect(report.changes.introduced.map(\.id) == [2])
        #expect(report.changes.kept.map(\.after.id) == [1])
        #expect(report.changes.removed.isEmpty)
        #expect(report.waited == .seconds(2))
        #expect(progress == [.seconds(1)])
        #expect(!report.loadedStore)
    }

    @Test func loadingLoadsKlpsvFirstWhenItIsMissing() throws {
        let system = FakeLivepatchSystem()
        try system.kmod.remove(name: "klpsv")
        system.files.setFile("/kmod/fix1.ko", "")
        system.kmod.setDependencies("/kmod/fix1.ko", ["klpsv"])
        system.setPatch("fix1", enabled: true)
        let report = try system.control.load("/kmod/fix1.ko", storeDirectory: "/kmod")
        let inserts = system.kmod.calls.filter { $0.hasPrefix("insert") }
        #expect(inserts == ["insert /kmod/klpsv.ko ''", "insert /kmod/fix1.ko ''"])
        #expect(report.loadedStore)
    }

    @Test func withoutABuildOfKlpsvTheInstalledOneIsLoaded() throws {
        let system = FakeLivepatchSystem()
        try system.kmod.remove(name: "klpsv")
        system.files.remove("/kmod/klpsv.ko")
        system.files.setFile("/kmod/fix1.ko", "")
        system.kmod.setDependencies("/kmod/fix1.ko", ["klpsv"])
        system.setPatch("fix1", enabled: true)
        let report = try system.control.load("/kmod/fix1.ko", storeDirectory: "/kmod")
        let inserts = system.kmod.calls.filter { $0.hasPrefix("insert") }
        #expect(inserts == ["insert /lib/modules/test/updates/dkms/klpsv.ko ''", "insert /kmod/fix1.ko ''"])
        #expect(report.loadedStore)
    }

    @Test func aPatchThatDoesNotUseKlpsvLoadsWithoutIt() throws {
        let system = FakeLivepatchSystem()
        try system.kmod.remove(name: "klpsv")
        system.files.setFile("/kmod/livepatch_sample.ko", "")
        system.kmod.setDependencies("/kmod/livepatch_sample.ko", [])
        system.setPatch("livepatch_sample", enabled: true)
        let report = try system.control.load("/kmod/livepatch_sample.ko", storeDirectory: "/kmod")
        #expect(system.kmod.calls.filter { $0.hasPrefix("insert") } == ["insert /kmod/livepatch_sample.ko ''"])
        #expect(!report.loadedStore)
    }

    @Test func aMissingFileIsReportedBeforeAnythingIsLoaded() {
        let system = FakeLivepatchSystem()
        try? system.kmod.remove(name: "klpsv")
        #expect {
            try system.control.load("/nonexistent/foo.ko", storeDirectory: "/kmod")
        } throws: { error in
            let error = error as? ModuleError
            return error?.code == .fileNotFound && error?.path == "/nonexistent/foo.ko" && error?.exitStatus == .notFound
        }
        #expect(!system.kmod.calls.contains { $0.hasPrefix("insert") })
    }

    @Test func aPatchThatFailsToLoadTakesKlpsvWithIt() {
        let system = FakeLivepatchSystem()
        try? system.kmod.remove(name: "klpsv")
        system.files.setFile("/kmod/fix1.ko", "")
        system.kmod.setDependencies("/kmod/fix1.ko", ["klpsv"])
        system.kmod.failInsert(with: .resourceBusy, after: 1)
        let before = system.kmod.calls.count
        #expect(throws: ModuleError.self) { try system.control.load("/kmod/fix1.ko", storeDirectory: "/kmod") }
        #expect(system.kmod.calls.dropFirst(before).filter { $0.hasPrefix("insert") || $0.hasPrefix("remove") }
            == ["insert /kmod/klpsv.ko ''", "insert /kmod/fix1.ko ''", "remove klpsv"])
        #expect(!system.loader.isLoaded("klpsv"))
    }

    @Test func aLoadedModuleIsNotLoadedAgain() {
        let system = FakeLivepatchSystem()
        system.files.setFile("/kmod/fix1.ko", "")
        system.setPatch("fix1", enabled: true)
        #expect(throws: PatchControlError.loadedAlready("klpsv")) { try system.control.load("/kmod/klpsv.ko") }
    }

    @Test func aModuleThatRegistersNoLivepatchIsReported() {
        let system = FakeLivepatchSystem()
        system.files.setFile("/kmod/plain.ko", "")
        #expect(throws: PatchControlError.notALivepatch("plain", unloaded: true)) {
            try system.control.load("/kmod/plain.ko")
        }
        #expect(!system.loader.isLoaded("plain"))
    }

    @Test func disablingTheLastBlockDisablePatchIsRefusedAndChangesNothing() {
        let system = FakeLivepatchSystem()
        system.setPatch("limit", enabled: true)
        system.setStates("7 in-force block yes 0 limit\n")
        system.setPatches("limit enabled no 7:block\n")
        let error = #expect(throws: PatchControlError.blockDisable("limit", states: [7])) {
            try system.control.disable("limit")
        }
        #expect(error?.description.contains("--force") == true)
        #expect(system.files.writes.isEmpty)
    }

    @Test func anotherPatchSupportingTheStateLetsTheDisableGo() throws {
        let system = FakeLivepatchSystem()
        system.setPatch("limit", enabled: true)
        system.setPatch("limit2", enabled: true)
        system.setStates("7 in-force block yes 0 limit,limit2\n")
        system.setPatches("limit enabled no 7:block\nlimit2 enabled no 7:block\n")
        system.clock.at(.zero) {}
        let report = try system.control.disable("limit")
        #expect(system.files.writes.map(\.path) == ["/lp/limit/enabled"])
        #expect(report.changes.removed.isEmpty)
    }

    @Test func aForcedDisableLeavesAnOrphan() throws {
        let system = FakeLivepatchSystem()
        system.setPatch("limit", enabled: true)
        system.setStates("7 in-force block yes 0 limit\n")
        system.setPatches("limit enabled no 7:block\n")
        system.files.setFile("/lp/limit/transition", "1\n")
        system.clock.at(.seconds(1)) {
            system.files.remove("/lp/limit")
            system.setPatches("limit orphan no 7:block\n")
        }
        let report = try system.control.disable("limit", force: true)
        #expect(system.files.writes.map(\.text) == ["0\n"])
        #expect(report.orphan)
        #expect(report.status == nil)
        #expect(report.changes.kept.map(\.after.id) == [7])
        #expect(throws: PatchControlError.orphan("limit", states: [7])) {
            try system.kmod.insert(path: "/kmod/limit.ko", options: "")
            try system.control.unload("limit")
        }
    }

    @Test func disablingCountsTheShadowsFreedWithARemovedState() throws {
        let system = FakeLivepatchSystem()
        system.setPatch("fix1", enabled: true)
        system.setStates("1 in-force shadow yes 12 fix1\n3 in-force - yes 4 fix1\n")
        system.setPatches("fix1 enabled yes 1:shadow,3:-\n")
        system.files.setFile("/lp/fix1/transition", "1\n")
        system.clock.at(.milliseconds(600)) {
            system.files.remove("/lp/fix1")
            system.setStates("1 removed shadow no 0 -\n3 removed - no 4 -\n")
            system.setPatches("")
        }
        let report = try system.control.disable("fix1")
        #expect(report.changes.removed.map(\.before.id) == [1, 3])
        #expect(report.freedShadows == 12)
        #expect(report.replaced.isEmpty)
    }

    @Test func patchNamesAreReadAsTheKernelReadsModuleNames() throws {
        let system = FakeLivepatchSystem()
        system.setPatch("livepatch_foo", enabled: true)
        system.clock.at(.seconds(1)) { system.files.remove("/lp/livepatch_foo") }
        let report = try system.control.disable("livepatch-foo")
        #expect(report.patch == "livepatch_foo")
        #expect(system.files.writes.map(\.path) == ["/lp/livepatch_foo/enabled"])
    }

    @Test func aTransitionThatTimesOutIsReversedWhenAsked() throws {
        let system = FakeLivepatchSystem()
        system.setPatch("slow", enabled: true, transition: true)
        // The disable hangs until it is reversed, which finishes 2 s later.
        system.clock.at(.seconds(11)) { system.setPatch("slow", enabled: true) }
        #expect {
            try system.control.disable("slow", timeout: .seconds(10), revertOnTimeout: true)
        } throws: { error in
            guard let error = error as? RevertedTransition else { return false }
            return error.timeout.patch == "slow" && !error.timeout.patching && error.reversal != nil
                && error.description.hasPrefix("slow did not finish unpatching in 10 s, and was reversed: patched again in")
        }
        #expect(system.files.writes.map(\.text) == ["0\n", "1\n"])
    }

    @Test func withoutAskingATimedOutTransitionIsLeftToTheKernel() {
        let system = FakeLivepatchSystem()
        system.setPatch("slow", enabled: true, transition: true)
        #expect(throws: TransitionTimeout.self) { try system.control.disable("slow", timeout: .seconds(10)) }
        #expect(system.files.writes.map(\.text) == ["0\n"])
    }

    @Test func enablingNeedsADisableInFlight() {
        let system = FakeLivepatchSystem()
        system.setPatch("fix1", enabled: true)
        #expect(throws: PatchControlError.notDisabling("fix1")) { try system.control.enable("fix1") }
        #expect(throws: LivepatchError.self) { try system.control.enable("nothing") }
    }

    @Test func enablingReversesADisableInFlight() throws {
        let system = FakeLivepatchSystem()
        system.setPatch("nap", enabled: false, transition: true)
        system.clock.at(.seconds(1)) { system.setPatch("nap", enabled: true) }
        let report = try system.control.enable("nap")
        #expect(system.files.writes.map(\.text) == ["1\n"])
        #expect(report.endedEnabled)
    }

    @Test func unloadingWaitsForTheReleaseAndRefusesAnEnabledPatch() throws {
        let system = FakeLivepatchSystem()
        try system.kmod.insert(path: "/kmod/fix1.ko", options: "")
        system.setPatch("fix1", enabled: true)
        #expect(throws: PatchControlError.stillPatched("fix1")) { try system.control.unload("fix1") }
        system.files.remove("/lp/fix1")
        system.kmod.refcounts("fix1", [1, 1, 1, 0])
        #expect(try system.control.unload("fix1") == .milliseconds(400))
        #expect(system.kmod.calls.last == "remove fix1")
        #expect(throws: ModuleError.self) { try system.control.unload("fix1") }
    }
}
