import ShadowKit

/// An in-memory system for ``PatchControl``: `/lp` as the livepatch sysfs
/// directory, `/proc`, klpsv's debugfs files under `/dbg`, module files
/// under `/kmod`, and a fake libkmod with klpsv loaded.
struct FakeLivepatchSystem {
    static let header = "id state flags enabled shadows patches\n"
    static let patchesHeader = "patch phase replace states\n"

    let files = FakeFiles(directories: ["/lp", "/proc", "/dbg", "/dbg/klpsv", "/kmod"])
    let kmod = FakeKmod([ModuleInfo(name: "klpsv", state: .live, refcount: 1)])
    let clock = FakeClock()

    init() {
        setStates("")
        setPatches("")
        files.setFile("/kmod/klpsv.ko", "")
    }

    var livepatch: Livepatch {
        Livepatch(root: "/lp", procRoot: "/proc", files: files, clock: clock.clock)
    }

    var loader: ModuleLoader {
        ModuleLoader(backend: kmod, files: files, sleep: { _ in })
    }

    var control: PatchControl {
        PatchControl(livepatch: livepatch, loader: loader,
                     debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false, files: files))
    }

    /// Gives livepatch `name` a sysfs directory.
    func setPatch(_ name: String, enabled: Bool, transition: Bool = false) {
        files.setFileMakingDirectories("/lp/\(name)/enabled", enabled ? "1\n" : "0\n")
        files.setFile("/lp/\(name)/transition", transition ? "1\n" : "0\n")
    }

    /// Sets the rows of klpsv's `states` file.
    func setStates(_ rows: String) {
        files.setFile("/dbg/klpsv/states", Self.header + rows)
    }

    /// Sets the rows of klpsv's `patches` file.
    func setPatches(_ rows: String) {
        files.setFile("/dbg/klpsv/patches", Self.patchesHeader + rows)
    }

    /// Adds thread `tid` of process `pid` to `/proc`.
    func addTask(pid: Int, tid: Int, comm: String, patchState: Int, stack: String? = nil) {
        let directory = "/proc/\(pid)/task/\(tid)"
        files.setFileMakingDirectories(directory + "/patch_state", "\(patchState)\n")
        files.setFile(directory + "/comm", comm + "\n")
        if let stack { files.setFile(directory + "/stack", stack) }
    }
}
