import ShadowKit
import SystemPackage
import Testing

@Suite("livepatch sysfs client")
struct LivepatchTests {
    @Test func readsTheStatusOfAPatch() throws {
        let system = FakeLivepatchSystem()
        system.setPatch("fix", enabled: true, transition: true)
        #expect(try system.livepatch.status(of: "fix") == .init(enabled: true, transition: true))
        #expect(try system.livepatch.status(of: "gone") == nil)
        #expect(try system.livepatch.patchNames() == ["fix"])
    }

    @Test func refusesAFlagThatIsNeitherZeroNorOne() {
        let system = FakeLivepatchSystem()
        system.setPatch("fix", enabled: true)
        system.files.setFile("/lp/fix/transition", "2\n")
        #expect(throws: MalformedOutput.self) { try system.livepatch.status(of: "fix") }
    }

    @Test func reportsAKernelWithoutLivepatchSupport() {
        let livepatch = Livepatch(root: "/nowhere", files: FakeFiles())
        #expect(throws: LivepatchError(.notAvailable, path: "/nowhere")) { try livepatch.patchNames() }
    }

    @Test func explainsARefusedEnable() {
        let system = FakeLivepatchSystem()
        system.setPatch("fix", enabled: true)
        system.files.setFile("/lp/fix/enabled", "1\n")
        let files = FakeFiles(directories: ["/lp"], failures: ["/lp/fix/enabled": .invalidArgument])
        let error = #expect(throws: LivepatchError.self) {
            try Livepatch(root: "/lp", files: files).setEnabled("fix", true)
        }
        #expect(error?.code == .refused)
        #expect(error?.description.contains("load it again") == true)
    }

    @Test func waitsForTheTransitionAndReportsProgressEverySecond() throws {
        let system = FakeLivepatchSystem()
        system.setPatch("fix", enabled: true, transition: true)
        system.clock.at(.milliseconds(3100)) { system.setPatch("fix", enabled: true) }
        var reports: [Duration] = []
        let waited = try system.livepatch.waitForTransition(of: "fix", timeout: .seconds(10)) { reports.append($0) }
        #expect(waited == .milliseconds(3200))
        #expect(reports == [.seconds(1), .seconds(2), .seconds(3)])
    }

    @Test func aFreedPatchEndsTheWait() throws {
        let system = FakeLivepatchSystem()
        system.setPatch("fix", enabled: false, transition: true)
        system.clock.at(.milliseconds(400)) { system.files.remove("/lp/fix") }
        #expect(try system.livepatch.waitForTransition(of: "fix") == .milliseconds(400))
    }

    @Test func aPatchWhoseDirectoryIsGoingEndsTheWait() throws {
        let files = FakeFiles(directories: ["/lp", "/lp/fix"], failures: ["/lp/fix/transition": .operationNotSupportedByDevice])
        files.setFile("/lp/fix/enabled", "0\n")
        let livepatch = Livepatch(root: "/lp", files: files, clock: FakeClock().clock)
        #expect(try livepatch.waitForTransition(of: "fix") == .zero)
        #expect(try livepatch.status(of: "fix") == nil)
    }

    @Test func aTimeoutNamesTheTasksHoldingTheTransition() throws {
        let system = FakeLivepatchSystem()
        system.setPatch("fix", enabled: true, transition: true)
        system.addTask(pid: 1, tid: 1, comm: "init", patchState: 1)
        system.addTask(pid: 40, tid: 40, comm: "idle", patchState: -1)
        system.addTask(pid: 77, tid: 78, comm: "napper", patchState: 0,
                       stack: "[<0>] klpsv_target_nap+0x2a/0x60\n[<0>] kthread+0xe8/0x110\n")
        let error = #expect(throws: TransitionTimeout.self) {
            try system.livepatch.waitForTransition(of: "fix", timeout: .seconds(5))
        }
        #expect(error?.waited == .seconds(5))
        #expect(error?.patching == true)
        #expect(error?.tasks == [TaskInTransition(pid: 77, tid: 78, comm: "napper", patchState: 0,
                                                  stack: ["[<0>] klpsv_target_nap+0x2a/0x60",
                                                          "[<0>] kthread+0xe8/0x110"])])
        let text = error?.description ?? ""
        #expect(text.contains("fix did not finish patching in 5 s"))
        #expect(text.contains("pid 77 (thread 78) napper"))
        #expect(text.contains("klpsv_target_nap+0x2a/0x60"))
        #expect(text.contains("/lp/fix/signal"))
    }

    @Test func waitsForAModuleToBeReleased() throws {
        let system = FakeLivepatchSystem()
        system.kmod.refcounts("klpsv", [1, 1, 0])
        let waited = try system.livepatch.waitForRelease(of: "klpsv", loader: system.loader)
        #expect(waited == .milliseconds(400))
        system.kmod.refcounts("klpsv", [1])
        #expect(throws: ReleaseTimeout(module: "klpsv", waited: .seconds(1), refcount: 1)) {
            try system.livepatch.waitForRelease(of: "klpsv", loader: system.loader, timeout: .seconds(1))
        }
    }
}
