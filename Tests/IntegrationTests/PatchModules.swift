import ShadowKit

/// Livepatch modules driven the plain way: libkmod to load and unload,
/// ShadowKit's ``Livepatch`` client of `/sys/kernel/livepatch` to disable
/// and wait. The virtual patches and the samples are both driven through it.
struct PatchModules {
    /// How long a transition or a module reference may take to settle.
    static let settleTimeout: Duration = .seconds(30)

    let loader: ModuleLoader
    private let livepatch = Livepatch()

    init(loader: ModuleLoader) {
        self.loader = loader
    }

    /// Loads livepatch module `name` with `parameters` (its init enables
    /// it), waits for its transition unless `wait` is false, and returns
    /// the kernel's refusal, if any.
    @discardableResult
    func load(_ name: String, parameters: [String] = [], wait: Bool = true) throws -> ModuleError? {
        let path = try Integration.modulePath(name)
        do {
            try loader.load(path, parameters: parameters)
        } catch {
            return error
        }
        if wait { try waitForTransition(of: name) }
        return nil
    }

    /// Writes `enabled` of loaded patch `name` and, unless `wait` is false,
    /// waits for the transition.
    func setEnabled(_ name: String, _ enabled: Bool, wait: Bool = true) throws {
        try livepatch.setEnabled(name, enabled)
        if wait { try waitForTransition(of: name) }
    }

    /// True while patch `name` is in a transition.
    func inTransition(_ name: String) throws -> Bool {
        try livepatch.status(of: name)?.transition == true
    }

    /// True while patch `name` is enabled (or in a transition to enabled).
    func isEnabled(_ name: String) throws -> Bool {
        try livepatch.status(of: name)?.enabled == true
    }

    /// True when patch `name` has a sysfs directory.
    func isRegistered(_ name: String) throws -> Bool {
        try livepatch.status(of: name) != nil
    }

    /// Waits until patch `name` is in no transition (a disabled patch's
    /// directory going away also means done).
    func waitForTransition(of name: String) throws {
        try livepatch.waitForTransition(of: name, timeout: Self.settleTimeout)
    }

    /// Unloads patch module `name` once the livepatch core dropped its
    /// reference (it does so after freeing the disabled patch).
    func unload(_ name: String) throws {
        try livepatch.waitForRelease(of: name, loader: loader, timeout: Self.settleTimeout)
        try loader.unload(name)
    }

    /// Disables (when enabled) and unloads each of `names` that is loaded,
    /// in order.
    func removeAll(_ names: [String]) throws {
        for name in names where loader.isLoaded(name) {
            if try isEnabled(name) { try setEnabled(name, false) }
            try unload(name)
        }
    }
}
