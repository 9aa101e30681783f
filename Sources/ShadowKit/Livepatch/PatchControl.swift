/// Drives livepatch modules through their life, as an operator would with
/// `insmod`, `echo 0 > enabled` and `rmmod`, and reports what each step did
/// to klpsv's system states.
///
/// Every step that starts a transition waits for it, bounded by a timeout,
/// and compares klpsv's `states` file before and after. When klpsv is not
/// loaded (a livepatch that does not use it), the states are simply not
/// compared.
public struct PatchControl: Sendable {
    /// The livepatch sysfs client.
    public let livepatch: Livepatch
    /// The module loader.
    public let loader: ModuleLoader
    /// klpsv's debugfs files.
    public let debugfs: KlpsvDebugfs

    /// Creates a controller.
    public init(livepatch: Livepatch, loader: ModuleLoader, debugfs: KlpsvDebugfs) {
        self.livepatch = livepatch
        self.loader = loader
        self.debugfs = debugfs
    }

    /// Loads the livepatch module at `path`, which enables its patch, and
    /// waits for the patching transition.
    ///
    /// The file is checked first (after the livepatch support of the
    /// kernel). klpsv.ko, which libkmod does not load for
    /// a module file given by path, is loaded first when the patch depends
    /// on it (its `.modinfo` says so) and it is not loaded yet: from
    /// `storeDirectory`, or, when that is not given or holds no klpsv.ko,
    /// the one installed for the running kernel (the klpsv-dkms package's),
    /// as `modprobe` would. When the patch does not load, or loads but
    /// registers no livepatch, what this call loaded is unloaded again.
    ///
    /// - Parameter revertOnTimeout: when the transition does not finish in
    ///   `timeout`, reverse it and wait as long again for the reversal.
    /// - Throws: ``ModuleError`` (``ModuleError/Code/fileNotFound`` for a
    ///   missing file; a refusal to load: a klpsv patch's reason is in the
    ///   kernel log), ``PatchControlError``, ``TransitionTimeout``,
    ///   ``RevertedTransition``, ``LivepatchError``, ``MalformedOutput``.
    public func load(
        _ path: String, parameters: [String] = [], storeDirectory: String? = nil,
        timeout: Duration = Livepatch.transitionTimeout, revertOnTimeout: Bool = false,
        progress: (Duration) -> Void = { _ in }
    ) throws -> PatchReport {
        let name = ModuleLoader.moduleName(forPath: path)
        try livepatch.checkAvailable()
        let dependencies = try loader.dependencies(of: path)
        if try loader.info(name) != nil { throw PatchControlError.loadedAlready(name) }
        var loadedStore = false
        if dependencies.contains(KlpsvModule.store), !loader.isLoaded(KlpsvModule.store) {
            try loader.load(KlpsvModule.store, from: storeDirectory)
            loadedStore = true
        }
        let before: Snapshot
        var loadedPatch = false
        do {
            before = try snapshot()
            try loader.load(path, parameters: parameters)
            loadedPatch = true
            guard try livepatch.status(of: name) != nil else {
                let unloaded = (try? loader.unload(name)) != nil
                loadedPatch = !unloaded
                throw PatchControlError.notALivepatch(name, unloaded: unloaded)
            }
        } catch {
            // A patch that loaded but could not be looked at is not left
            // holding the klpsv this call loaded for it.
            if loadedPatch, (try? livepatch.status(of: name)) == nil { try? loader.unload(name) }
            if loadedStore { try? loader.unload(KlpsvModule.store) }
            throw error
        }
        let waited = try waitForTransition(of: name, timeout: timeout, revert: revertOnTimeout, progress: progress)
        return try report(.load, patch: name, before: before, waited: waited, loadedStore: loadedStore)
    }

    /// Disables livepatch `patch` and waits for the unpatching transition;
    /// the livepatch core then frees the patch, and its module can be
    /// unloaded. A patch that is the last to declare an in-force
    /// `block_disable` state is not disabled unless `force` is set: klpsv
    /// would keep it as an orphan and its state in force.
    ///
    /// - Throws: ``PatchControlError/blockDisable(_:states:)``, and as
    ///   ``load(_:parameters:storeDirectory:timeout:revertOnTimeout:progress:)``.
    public func disable(
        _ patch: String, force: Bool = false,
        timeout: Duration = Livepatch.transitionTimeout, revertOnTimeout: Bool = false,
        progress: (Duration) -> Void = { _ in }
    ) throws -> PatchReport {
        let patch = ModuleLoader.moduleName(patch)
        try livepatch.checkExists(patch)
        let before = try snapshot()
        if !force, let patches = before.patches, let states = before.states {
            let blocking = patches.blockDisableStates(orphanedByDisabling: patch, states: states)
            if !blocking.isEmpty { throw PatchControlError.blockDisable(patch, states: blocking.map(\.id)) }
        }
        try livepatch.setEnabled(patch, false)
        let waited = try waitForTransition(of: patch, timeout: timeout, revert: revertOnTimeout, progress: progress)
        return try report(.disable, patch: patch, before: before, waited: waited)
    }

    /// Reverses the disable of livepatch `patch` while it is in flight (the
    /// only enable the livepatch core allows once a patch is registered)
    /// and waits for the patching transition.
    ///
    /// - Throws: ``PatchControlError/notDisabling(_:)`` when no disable is in
    ///   flight, and as ``load(_:parameters:storeDirectory:timeout:revertOnTimeout:progress:)``.
    public func enable(
        _ patch: String, timeout: Duration = Livepatch.transitionTimeout, revertOnTimeout: Bool = false,
        progress: (Duration) -> Void = { _ in }
    ) throws -> PatchReport {
        let patch = ModuleLoader.moduleName(patch)
        try livepatch.checkExists(patch)
        guard let status = try livepatch.status(of: patch), !status.enabled, status.transition else {
            throw PatchControlError.notDisabling(patch)
        }
        let before = try snapshot()
        try livepatch.setEnabled(patch, true)
        let waited = try waitForTransition(of: patch, timeout: timeout, revert: revertOnTimeout, progress: progress)
        return try report(.enable, patch: patch, before: before, waited: waited)
    }

    /// Unloads livepatch module `module` once the livepatch core has let it
    /// go. A patch still in sysfs is refused: disable it first.
    ///
    /// - Returns: the time waited for the release.
    /// - Throws: ``PatchControlError/stillPatched(_:)``,
    ///   ``PatchControlError/orphan(_:states:)``, ``ReleaseTimeout``,
    ///   ``ModuleError``.
    @discardableResult
    public func unload(
        _ module: String, timeout: Duration = Livepatch.releaseTimeout, progress: (Duration) -> Void = { _ in }
    ) throws -> Duration {
        let module = ModuleLoader.moduleName(module)
        guard try loader.info(module) != nil else {
            throw ModuleError(.notLoaded, errno: .noSuchFileOrDirectory, operation: .unload, module: module)
        }
        if let status = try livepatch.status(of: module) {
            throw status.transition && !status.enabled
                ? PatchControlError.stillDisabling(module) : PatchControlError.stillPatched(module)
        }
        if loader.isLoaded(KlpsvModule.store), let row = try debugfs.patches()[name: module], row.phase == .orphan {
            throw PatchControlError.orphan(module, states: row.states.filter(\.flags.blockDisable).map(\.id))
        }
        let waited = try livepatch.waitForRelease(of: module, loader: loader, timeout: timeout, progress: progress)
        try loader.unload(module)
        return waited
    }

    /// Waits for the transition of `patch`; when it times out and `revert`
    /// is set, reverses it (writes the opposite to `enabled`, which the
    /// core allows while a transition is in flight) and waits as long again.
    ///
    /// - Throws: ``TransitionTimeout`` without `revert`,
    ///   ``RevertedTransition`` with it, and as
    ///   ``Livepatch/waitForTransition(of:timeout:poll:progress:)``.
    private func waitForTransition(
        of patch: String, timeout: Duration, revert: Bool, progress: (Duration) -> Void
    ) throws -> Duration {
        let timedOut: TransitionTimeout
        do {
            return try livepatch.waitForTransition(of: patch, timeout: timeout, progress: progress)
        } catch let error as TransitionTimeout where revert {
            timedOut = error
        }
        // The transition may have ended since: then there is nothing to
        // reverse, and writing `enabled` would start a new transition (or
        // fail on a patch that is gone).
        guard try livepatch.status(of: patch)?.transition == true else { return timedOut.waited }
        do {
            try livepatch.setEnabled(patch, !timedOut.patching)
        } catch {
            guard try livepatch.status(of: patch)?.transition == true else { return timedOut.waited }
            throw error
        }
        let reversal: Duration?
        do {
            reversal = try livepatch.waitForTransition(of: patch, timeout: timeout, progress: progress)
        } catch is TransitionTimeout {
            reversal = nil
        }
        throw RevertedTransition(timeout: timedOut, reversal: reversal)
    }

    /// The enabled livepatches, and klpsv's states and patches when klpsv
    /// is loaded.
    private func snapshot() throws -> Snapshot {
        var enabled: [String] = []
        for name in try livepatch.patchNames() where try livepatch.status(of: name)?.enabled == true {
            enabled.append(name)
        }
        guard loader.isLoaded(KlpsvModule.store) else { return Snapshot(livepatches: enabled) }
        return Snapshot(livepatches: enabled, states: try debugfs.states(), patches: try debugfs.patches())
    }

    private func report(
        _ step: PatchReport.Step, patch: String, before: Snapshot, waited: Duration, loadedStore: Bool = false
    ) throws -> PatchReport {
        let after = try snapshot()
        let status = try livepatch.status(of: patch)
        var changes = StateChanges()
        if let states = after.states {
            changes = StateChanges(before: before.states ?? KlpsvStates(rows: []), after: states)
        }
        var replaced: [String] = []
        for other in before.livepatches where other != patch {
            if try livepatch.status(of: other)?.enabled != true { replaced.append(other) }
        }
        return PatchReport(
            step: step, patch: patch, waited: waited, status: status, changes: changes,
            replaced: step == .disable ? [] : replaced,
            orphan: after.patches?[name: patch]?.phase == .orphan, loadedStore: loadedStore)
    }

    private struct Snapshot {
        var livepatches: [String]
        var states: KlpsvStates?
        var patches: KlpsvPatches?
    }
}
