import Foundation
import ShadowKit
import Testing

/// The virtual livepatches `klpsv_vp1` … `klpsv_vp4` (kmod/vpatch): states
/// from a parameter, no function redirected, so every transition completes
/// at once. Loading one enables it through `klpsv_enable_patch()`.
struct VirtualPatches {
    /// How long a transition or a module reference may take to settle.
    static let settleTimeout: TimeInterval = 30
    /// How often it is polled.
    static let pollInterval: TimeInterval = 0.1

    let loader: ModuleLoader
    private let files = LocalFileAccess()

    /// The module name of virtual patch `number`.
    static func name(_ number: Int) -> String { "klpsv_vp\(number)" }

    /// Loads virtual patch `number` with `states` (e.g. `"1s,2b"`), waits
    /// for its transition, and returns the kernel's refusal, if any. A
    /// `plain` patch enables itself with klp_enable_patch(), bypassing klpsv.
    @discardableResult
    func load(_ number: Int, states: String, replace: Bool = false, plain: Bool = false,
              hold: Bool = false, wait: Bool = true) throws -> ModuleError? {
        let name = Self.name(number)
        var parameters = ["states=\(states)"]
        if replace { parameters.append("replace=1") }
        if plain { parameters.append("plain=1") }
        if hold { parameters.append("hold=1") }
        let path = try Integration.modulePath(name)
        do {
            try loader.load(path, parameters: parameters)
        } catch {
            return error
        }
        if wait { try waitForTransition(of: name) }
        return nil
    }

    /// Writes `enabled` of a loaded patch and waits for the transition.
    func setEnabled(_ number: Int, _ enabled: Bool, wait: Bool = true) throws {
        let name = Self.name(number)
        try files.write(enabled ? "1\n" : "0\n", to: "/sys/kernel/livepatch/\(name)/enabled")
        if wait { try waitForTransition(of: name) }
    }

    /// Waits for the transition of patch `number` to finish.
    func waitForTransition(_ number: Int) throws {
        try waitForTransition(of: Self.name(number))
    }

    /// True while patch `number` is in a transition.
    func inTransition(_ number: Int) throws -> Bool {
        try flag(Self.name(number), "transition") == "1"
    }

    /// Disables (when enabled) and unloads every virtual patch still loaded.
    func removeAll() throws {
        for number in 1...4 where loader.isLoaded(Self.name(number)) {
            if try isEnabled(number) { try setEnabled(number, false) }
            try unload(number)
        }
    }

    /// Unloads a disabled patch once the livepatch core dropped its reference.
    func unload(_ number: Int) throws {
        let name = Self.name(number)
        try waitUntil("\(name) to be released by the livepatch core") {
            try loader.info(name)?.refcount == 0
        }
        try loader.unload(name)
    }

    private func isEnabled(_ number: Int) throws -> Bool {
        try flag(Self.name(number), "enabled") == "1"
    }

    /// Waits until patch `name` is in no transition. A disabled patch is
    /// freed when its transition ends, so its directory may vanish at any
    /// moment, even between two reads: that also means done.
    private func waitForTransition(of name: String) throws {
        try waitUntil("the transition of \(name) to finish") {
            try flag(name, "transition") ?? "0" == "0"
        }
    }

    /// The text of file `file` of patch `name`, trimmed; `nil` when the
    /// patch has no sysfs directory (not loaded, or freed after a disable).
    private func flag(_ name: String, _ file: String) throws -> String? {
        let text: String
        do {
            text = try files.contents(of: "/sys/kernel/livepatch/\(name)/\(file)")
        } catch {
            if error == .noSuchFileOrDirectory || error == .notDirectory { return nil }
            throw error
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func waitUntil(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(Self.settleTimeout)
        while try !condition() {
            guard Date() < deadline else {
                throw TimedOut(what: what)
            }
            Thread.sleep(forTimeInterval: Self.pollInterval)
        }
    }

    struct TimedOut: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for \(what)" }
    }
}

extension KernelLog {
    /// The lines the virtual patches' own callbacks logged, in order, as
    /// `klpsv_vpN: state ID: CALLBACK by PATCH (enabled=B own=B)` or
    /// `klpsv_vpN: shadow_dtor (global|object)`.
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
