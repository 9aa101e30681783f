import SystemPackage

/// The livepatch core's sysfs directory, `/sys/kernel/livepatch`: one
/// directory per livepatch, named after its module, holding `enabled` and
/// `transition` (`0` or `1`).
///
/// The environment variable `KLPSV_LIVEPATCH_SYSFS` names another root, a
/// plain directory with the same layout, for tests. When a transition does
/// not finish, the tasks holding it up are found in `/proc` (``procRoot``).
public struct Livepatch: Sendable {
    /// Where the livepatch core's directory is.
    public static let defaultRoot = "/sys/kernel/livepatch"
    /// The environment variable that overrides ``defaultRoot``.
    public static let rootVariable = "KLPSV_LIVEPATCH_SYSFS"
    /// Where procfs is.
    public static let defaultProcRoot = "/proc"
    /// How long ``waitForTransition(of:timeout:poll:progress:)`` waits by default.
    public static let transitionTimeout: Duration = .seconds(60)
    /// How long ``waitForRelease(of:loader:timeout:poll:progress:)`` waits by default.
    public static let releaseTimeout: Duration = .seconds(30)
    /// How often the waits look.
    public static let pollInterval: Duration = .milliseconds(200)
    /// How often, at most, the waits report progress.
    public static let progressInterval: Duration = .seconds(1)

    /// What sysfs says about one livepatch.
    public struct Status: Sendable, Equatable {
        /// `enabled`: the patch is enabled, or its transition goes towards enabled.
        public var enabled: Bool
        /// `transition`: a transition of the patch is in flight.
        public var transition: Bool
        /// `replace`, which older kernels do not have.
        public var replace: Bool?

        /// Creates a status.
        public init(enabled: Bool, transition: Bool, replace: Bool? = nil) {
            self.enabled = enabled
            self.transition = transition
            self.replace = replace
        }
    }

    /// The livepatch directory.
    public let root: String
    /// The procfs root.
    public let procRoot: String
    private let files: any FileAccess
    private let clock: PollClock

    /// Creates a client of the livepatch directory at `root`.
    public init(root: String = defaultRoot, procRoot: String = defaultProcRoot,
                files: any FileAccess = LocalFileAccess(), clock: PollClock = .system) {
        self.root = root
        self.procRoot = procRoot
        self.files = files
        self.clock = clock
    }

    /// The client the environment asks for: `$KLPSV_LIVEPATCH_SYSFS` when
    /// set, else ``defaultRoot``.
    public static func fromEnvironment(files: any FileAccess = LocalFileAccess()) -> Livepatch {
        Livepatch(root: ProcessEnvironment.nonEmptyValue(rootVariable) ?? defaultRoot, files: files)
    }

    /// The sysfs directory of livepatch `patch`.
    public func directory(of patch: String) -> String {
        root + "/" + patch
    }

    /// Checks that the livepatch directory exists.
    public func checkAvailable() throws(LivepatchError) {
        let kind: FileKind?
        do {
            kind = try files.kind(of: root)
        } catch {
            throw LivepatchError.from(error, path: root, patch: nil)
        }
        guard kind == .directory else { throw LivepatchError(.notAvailable, path: root) }
    }

    /// The livepatches in sysfs, enabled or in a transition, sorted by name.
    public func patchNames() throws(LivepatchError) -> [String] {
        try checkAvailable()
        do {
            return try files.entries(of: root).sorted()
        } catch {
            throw LivepatchError.from(error, path: root, patch: nil)
        }
    }

    /// What sysfs says about livepatch `patch`; `nil` when it has no
    /// directory (never loaded, or freed after its disable).
    ///
    /// - Throws: ``LivepatchError`` or ``MalformedOutput``.
    public func status(of patch: String) throws -> Status? {
        try checkAvailable()
        guard let enabled = try flag(patch, "enabled"), let transition = try flag(patch, "transition") else {
            return nil
        }
        return Status(enabled: enabled, transition: transition, replace: try flag(patch, "replace"))
    }

    /// Checks that livepatch `patch` has a directory.
    public func checkExists(_ patch: String) throws(LivepatchError) {
        try checkAvailable()
        let path = directory(of: patch)
        let kind: FileKind?
        do {
            kind = try files.kind(of: path)
        } catch {
            throw LivepatchError.from(error, path: path, patch: patch)
        }
        guard kind == .directory else { throw LivepatchError(.noSuchPatch, path: path, patch: patch) }
    }

    /// Writes `enabled` of livepatch `patch`: `0` starts its disable; `1`
    /// reverses a disable in flight (the core re-enables nothing else).
    /// Writing while a transition of the patch is in flight reverses it.
    public func setEnabled(_ patch: String, _ enabled: Bool) throws(LivepatchError) {
        let path = directory(of: patch) + "/enabled"
        do {
            try files.write(enabled ? "1\n" : "0\n", to: path)
        } catch {
            switch error {
            case .invalidArgument, .resourceBusy:
                throw LivepatchError(.refused, path: path, patch: patch, errno: error, enabling: enabled)
            default:
                throw LivepatchError.from(error, path: path, patch: patch)
            }
        }
    }

    /// Waits until livepatch `patch` is in no transition: its `transition`
    /// reads 0, or its directory is gone (a disabled patch is freed).
    ///
    /// - Parameters:
    ///   - timeout: how long to wait at most.
    ///   - poll: how often to look.
    ///   - progress: called with the time waited so far, at most once per
    ///     ``progressInterval`` and not before one has passed.
    /// - Returns: the time waited.
    /// - Throws: ``TransitionTimeout`` naming the tasks not switched yet,
    ///   ``LivepatchError`` or ``MalformedOutput``.
    @discardableResult
    public func waitForTransition(
        of patch: String, timeout: Duration = transitionTimeout, poll: Duration = pollInterval,
        progress: (Duration) -> Void = { _ in }
    ) throws -> Duration {
        let start = clock.now()
        var reported: Duration = .zero
        while true {
            let waited = clock.now() - start
            guard try flag(patch, "transition") == true else { return waited }
            if waited >= timeout {
                let patching = try flag(patch, "enabled") ?? true
                throw TransitionTimeout(patch: patch, patching: patching, waited: waited,
                                        tasks: tasksInTransition(target: patching ? 1 : 0),
                                        directory: directory(of: patch))
            }
            if waited >= reported + Self.progressInterval {
                reported = waited
                progress(waited)
            }
            clock.sleep(min(poll, timeout - waited))
        }
    }

    /// The tasks whose `patch_state` is neither `target` nor -1 (in no
    /// transition): those a transition towards `target` (1 patching, 0
    /// unpatching) still waits for. Read from
    /// `/proc/PID/task/TID/{patch_state,comm,stack}`; tasks that vanish or
    /// cannot be read are skipped, a stack that cannot be read is empty.
    public func tasksInTransition(target: Int) -> [TaskInTransition] {
        var tasks: [TaskInTransition] = []
        for pid in numberedEntries(of: procRoot) {
            let threads = "\(procRoot)/\(pid)/task"
            for tid in numberedEntries(of: threads) {
                let directory = "\(threads)/\(tid)"
                guard let text = try? files.contents(of: directory + "/patch_state"),
                      let state = Int(trimmed(text)), state != -1, state != target
                else { continue }
                let comm = (try? files.contents(of: directory + "/comm")).map { trimmed($0) } ?? "?"
                let stack = (try? files.contents(of: directory + "/stack"))
                    .map { $0.split(separator: "\n").map { trimmed($0) }.filter { !$0.isEmpty } } ?? []
                tasks.append(TaskInTransition(pid: pid, tid: tid, comm: comm, patchState: state, stack: stack))
            }
        }
        return tasks.sorted { ($0.pid, $0.tid) < ($1.pid, $1.tid) }
    }

    /// Waits until module `module` has no reference left (the livepatch
    /// core drops its own asynchronously, after the patch is freed), is
    /// gone, or is held by another module (which ``ModuleLoader/unload(_:)``
    /// then reports).
    ///
    /// - Parameter progress: as for ``waitForTransition(of:timeout:poll:progress:)``.
    /// - Returns: the time waited.
    /// - Throws: ``ReleaseTimeout`` or ``ModuleError``.
    @discardableResult
    public func waitForRelease(
        of module: String, loader: ModuleLoader, timeout: Duration = releaseTimeout,
        poll: Duration = pollInterval, progress: (Duration) -> Void = { _ in }
    ) throws -> Duration {
        let start = clock.now()
        var reported: Duration = .zero
        while true {
            let waited = clock.now() - start
            guard let info = try loader.info(module), info.refcount > 0, info.holders.isEmpty else {
                return waited
            }
            if waited >= timeout {
                throw ReleaseTimeout(module: module, waited: waited, refcount: info.refcount)
            }
            if waited >= reported + Self.progressInterval {
                reported = waited
                progress(waited)
            }
            clock.sleep(min(poll, timeout - waited))
        }
    }

    /// `0` or `1` from file `name` of livepatch `patch`; `nil` when the
    /// file (or the patch's directory) is not there, or going.
    private func flag(_ patch: String, _ name: String) throws -> Bool? {
        let path = directory(of: patch) + "/" + name
        let text: String
        do {
            text = try files.contents(of: path)
        } catch {
            // A patch being freed: sysfs answers ENODEV while its kobject goes.
            if error == .noSuchFileOrDirectory || error == .notDirectory || error == .operationNotSupportedByDevice { return nil }
            throw LivepatchError.from(error, path: path, patch: patch)
        }
        switch trimmed(text) {
        case "0": return false
        case "1": return true
        default: throw MalformedOutput(source: path, reason: "expected 0 or 1", text: text)
        }
    }

    /// The names of `directory` that are decimal numbers, as numbers; none
    /// when it cannot be read.
    private func numberedEntries(of directory: String) -> [Int] {
        ((try? files.entries(of: directory)) ?? []).compactMap { name in
            name.allSatisfy(\.isASCII) && name.allSatisfy(\.isNumber) ? Int(name) : nil
        }
    }
}
