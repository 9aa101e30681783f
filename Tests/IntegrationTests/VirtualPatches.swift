import Foundation
import ShadowKit
import Testing

/// The virtual livepatches `klpsv_vp1` … `klpsv_vp4` (kmod/vpatch): states
/// from a parameter, no function redirected, so every transition completes
/// at once. Loading one enables it through `klpsv_enable_patch()`.
struct VirtualPatches {
    let loader: ModuleLoader
    private var modules: PatchModules { PatchModules(loader: loader) }

    /// The module name of virtual patch `number`.
    static func name(_ number: Int) -> String { "klpsv_vp\(number)" }

    /// Loads virtual patch `number` with `states` (e.g. `"1s,2b"`), waits
    /// for its transition, and returns the kernel's refusal, if any. A
    /// `plain` patch enables itself with klp_enable_patch(), bypassing klpsv.
    @discardableResult
    func load(_ number: Int, states: String, replace: Bool = false, plain: Bool = false,
              hold: Bool = false, extra: [String] = [], wait: Bool = true) throws -> ModuleError? {
        var parameters = ["states=\(states)"] + extra
        if replace { parameters.append("replace=1") }
        if plain { parameters.append("plain=1") }
        if hold { parameters.append("hold=1") }
        return try modules.load(Self.name(number), parameters: parameters, wait: wait)
    }

    /// Writes `enabled` of a loaded patch and waits for the transition.
    func setEnabled(_ number: Int, _ enabled: Bool, wait: Bool = true) throws {
        try modules.setEnabled(Self.name(number), enabled, wait: wait)
    }

    /// Waits for the transition of patch `number` to finish.
    func waitForTransition(_ number: Int) throws {
        try modules.waitForTransition(of: Self.name(number))
    }

    /// True while patch `number` is in a transition.
    func inTransition(_ number: Int) throws -> Bool {
        try modules.inTransition(Self.name(number))
    }

    /// Disables (when enabled) and unloads every virtual patch still loaded.
    func removeAll() throws {
        try modules.removeAll((1...4).map(Self.name))
    }

    /// Unloads a disabled patch once the livepatch core dropped its reference.
    func unload(_ number: Int) throws {
        try modules.unload(Self.name(number))
    }
}

extension KernelLog {
    /// The lines the virtual patches' own callbacks logged, in order, as
    /// `klpsv_vpN: state ID: CALLBACK by PATCH (enabled=B own=B)` or
    /// `klpsv_vpN: shadow_dtor (global|object, atomic|preemptible)`.
    var virtualPatchCallbacks: [String] {
        records.map(\.message).filter { message in
            message.hasPrefix("klpsv_vp") && (message.contains(": state ") || message.contains("shadow_dtor"))
        }
    }
}

/// Reads the virtual patches' callback lines as they come, each call
/// returning only what was logged since the previous one.
final class CallbackLog {
    private let cursor: KernelLogCursor
    private var seen = 0

    init(_ cursor: KernelLogCursor) {
        self.cursor = cursor
    }

    /// The callback lines logged since the last call.
    func next() throws -> [String] {
        let all = try cursor.read().virtualPatchCallbacks
        defer { seen = all.count }
        return Array(all.dropFirst(seen))
    }
}

extension Fixture {
    /// Runs `body` with klpsv, klpsv_test and the virtual patches, removing
    /// every virtual patch afterwards, even when `body` failed.
    @discardableResult
    static func runWithPatches(
        klpsvParameters parameters: [String] = [],
        _ body: (KlpsvSession, VirtualPatches) throws -> Void
    ) throws -> SessionReport {
        try run(klpsvParameters: parameters) { session in
            let patches = VirtualPatches(loader: session.loader)
            do {
                try body(session, patches)
            } catch {
                try? patches.removeAll()
                throw error
            }
            try patches.removeAll()
        }
    }
}
