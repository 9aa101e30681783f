import Foundation
import ShadowKit
import SystemPackage

/// Livepatch modules driven the plain way: libkmod to load and unload,
/// `/sys/kernel/livepatch/NAME/{enabled,transition}` to disable and wait.
/// The virtual patches and the samples are both driven through it.
struct PatchModules {
    /// How long a transition or a module reference may take to settle.
    static let settleTimeout: TimeInterval = 30
    /// How often it is polled.
    static let pollInterval: TimeInterval = 0.1

    let loader: ModuleLoader
    private let files = LocalFileAccess()

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
        try files.write(enabled ? "1\n" : "0\n", to: "/sys/kernel/livepatch/\(name)/enabled")
        if wait { try waitForTransition(of: name) }
    }

    /// True while patch `name` is in a transition.
    func inTransition(_ name: String) throws -> Bool {
        try flag(name, "transition") == "1"
    }

    /// True while patch `name` is enabled (or in a transition to enabled).
    func isEnabled(_ name: String) throws -> Bool {
        try flag(name, "enabled") == "1"
    }

    /// True when patch `name` has a sysfs directory.
    func isRegistered(_ name: String) throws -> Bool {
        try flag(name, "enabled") != nil
    }

    /// Waits until patch `name` is in no transition. A disabled patch is
    /// freed when its transition ends, so its directory may vanish at any
    /// moment, even between two reads: that also means done.
    func waitForTransition(of name: String) throws {
        try waitUntil("the transition of \(name) to finish") {
            try flag(name, "transition") ?? "0" == "0"
        }
    }

    /// Unloads patch module `name` once the livepatch core dropped its
    /// reference (it does so after freeing the disabled patch).
    func unload(_ name: String) throws {
        try waitUntil("\(name) to be released by the livepatch core") {
            try loader.info(name)?.refcount == 0
        }
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

    /// Polls `condition` until it holds, for at most ``settleTimeout``.
    func waitUntil(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(Self.settleTimeout)
        while try !condition() {
            guard Date() < deadline else {
                throw TimedOut(what: what)
            }
            Thread.sleep(forTimeInterval: Self.pollInterval)
        }
    }

    /// The text of file `file` of patch `name`, trimmed; `nil` when the
    /// patch has no sysfs directory (not loaded, or freed after a disable).
    private func flag(_ name: String, _ file: String) throws -> String? {
        let text: String
        do {
            text = try files.contents(of: "/sys/kernel/livepatch/\(name)/\(file)")
        } catch {
            // ENODEV: sysfs refuses reads while the patch's kobject goes.
            if error == .noSuchFileOrDirectory || error == .notDirectory
                || error == .operationNotSupportedByDevice { return nil }
            throw error
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct TimedOut: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for \(what)" }
    }
}
