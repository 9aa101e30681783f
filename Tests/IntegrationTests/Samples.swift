import Foundation
import ShadowKit
import SystemPackage
import Testing

/// The sample target and its livepatches (kmod/samples): real livepatches
/// that redirect functions of `klpsv_target`.
struct Samples {
    /// The sample livepatches, by module name.
    enum Patch: String, CaseIterable {
        /// State 1 (is_shadow): a touch count per object.
        case fix1 = "klpsv_fix1"
        /// Cumulative: keeps state 1, adds state 2 (a total, manual lifetime).
        case fix2 = "klpsv_fix2"
        /// Cumulative: drops state 1, keeps state 2.
        case fix3 = "klpsv_fix3"
        /// State 7 (block_disable): a raised object limit.
        case limit = "klpsv_limit"
        /// State 8 (is_shadow): a nap that holds its transition open.
        case nap = "klpsv_nap"
    }

    /// The target module.
    static let target = "klpsv_target"
    /// The target's debugfs directory.
    static let directory = "/sys/kernel/debug/klpsv_target"

    let loader: ModuleLoader
    var modules: PatchModules { PatchModules(loader: loader) }
    private let files = LocalFileAccess()

    /// Loads the target module.
    func loadTarget() throws {
        try loader.load(Integration.modulePath(Self.target))
    }

    /// Loads sample `patch` with `parameters`; waits for its transition
    /// unless `wait` is false; returns the kernel's refusal, if any.
    @discardableResult
    func load(_ patch: Patch, _ parameters: String..., wait: Bool = true) throws -> ModuleError? {
        try modules.load(patch.rawValue, parameters: parameters, wait: wait)
    }

    /// Writes `enabled` of `patch`; waits unless `wait` is false.
    func setEnabled(_ patch: Patch, _ enabled: Bool, wait: Bool = true) throws {
        try modules.setEnabled(patch.rawValue, enabled, wait: wait)
    }

    /// Waits for the transition of `patch`.
    func waitForTransition(_ patch: Patch) throws {
        try modules.waitForTransition(of: patch.rawValue)
    }

    /// True while `patch` is in a transition.
    func inTransition(_ patch: Patch) throws -> Bool {
        try modules.inTransition(patch.rawValue)
    }

    /// True while `patch` has a livepatch directory in sysfs.
    func isRegistered(_ patch: Patch) throws -> Bool {
        try modules.isRegistered(patch.rawValue)
    }

    /// True while the module of `patch` is loaded.
    func isLoaded(_ patch: Patch) -> Bool {
        loader.isLoaded(patch.rawValue)
    }

    /// Unloads a disabled `patch` once the livepatch core released it.
    func unload(_ patch: Patch) throws {
        try modules.unload(patch.rawValue)
    }

    /// Writes one command to the target's `ctl`.
    func command(_ text: String) throws(Errno) {
        try files.write(text + "\n", to: Self.directory + "/ctl")
    }

    /// The target's `objects` file, a line per object.
    func objects() throws -> [String] {
        try files.contents(of: Self.directory + "/objects").split(separator: "\n").map(String.init)
    }

    /// Sets a parameter of the target in sysfs.
    func setParameter(_ name: String, _ value: String) throws(Errno) {
        try files.write(value + "\n", to: "/sys/module/\(Self.target)/parameters/\(name)")
    }

    /// A parameter of the target.
    func parameter(_ name: String) throws -> String {
        try files.contents(of: "/sys/module/\(Self.target)/parameters/\(name)")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Disables and unloads every sample patch still loaded, newest kind
    /// first, then the target.
    func removeAll() throws {
        try modules.removeAll(Patch.allCases.reversed().map(\.rawValue))
        if loader.isLoaded(Self.target) { try loader.unload(Self.target) }
    }
}

/// klpsv's own lines about state callbacks, as `PATCH: state ID: WHAT`
/// (the `klpsv: ` prefix removed), each call returning only those logged
/// since the previous one.
final class StateLog {
    private let cursor: KernelLogCursor
    private var seen = 0

    init(_ cursor: KernelLogCursor) {
        self.cursor = cursor
    }

    /// The lines logged since the last call.
    func next() throws -> [String] {
        let all = try cursor.read().messages.compactMap { message -> String? in
            guard message.hasPrefix("klpsv: "), message.contains(": state ") else { return nil }
            return String(message.dropFirst("klpsv: ".count))
        }
        defer { seen = all.count }
        return Array(all.dropFirst(seen))
    }
}

extension Fixture {
    /// Runs `body` with klpsv, klpsv_test, the sample target and the
    /// virtual patches at hand, removing every patch and the target
    /// afterwards, even when `body` failed.
    @discardableResult
    static func runWithSamples(
        klpsvParameters parameters: [String] = [],
        _ body: (KlpsvSession, Samples, VirtualPatches) throws -> Void
    ) throws -> SessionReport {
        try run(klpsvParameters: parameters) { session in
            let samples = Samples(loader: session.loader)
            let patches = VirtualPatches(loader: session.loader)
            do {
                try samples.loadTarget()
                try body(session, samples, patches)
            } catch {
                try? patches.removeAll()
                try? samples.removeAll()
                throw error
            }
            try patches.removeAll()
            try samples.removeAll()
        }
    }
}
