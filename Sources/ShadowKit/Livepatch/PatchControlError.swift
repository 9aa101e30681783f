/// A ``PatchControl`` step refused before anything changed.
public enum PatchControlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The module is loaded already: its patch was enabled when it was loaded.
    case loadedAlready(String)
    /// The module loaded but registered no livepatch; `unloaded` tells
    /// whether it could be unloaded again.
    case notALivepatch(String, unloaded: Bool)
    /// Disabling the patch would leave these in-force `block_disable` states
    /// with no patch to maintain them.
    case blockDisable(String, states: [UInt64])
    /// ``PatchControl/enable(_:timeout:progress:)`` found no disable in flight.
    case notDisabling(String)
    /// The module's patch is still enabled.
    case stillPatched(String)
    /// The module's patch is being disabled.
    case stillDisabling(String)
    /// klpsv keeps the module's patch as an orphan, for these
    /// `block_disable` states.
    case orphan(String, states: [UInt64])

    public var description: String {
        switch self {
        case .loadedAlready(let module):
            "\(module) is loaded already (a livepatch is enabled when its module loads)"
        case .notALivepatch(let module, let unloaded):
            "\(module) was loaded but registered no livepatch in sysfs; "
                + (unloaded ? "it was unloaded again" : "it could not be unloaded again and is left loaded")
        case .blockDisable(let patch, let states):
            "refusing to disable \(patch): it is the last patch supporting block_disable state"
                + (states.count == 1 ? " " : "s ") + states.map(String.init).joined(separator: ", ")
                + "; replace it with a patch that keeps "
                + (states.count == 1 ? "it" : "them")
                + ", or use --force to disable it anyway (klpsv then keeps the state in force and the patch "
                + "as an orphan)"
        case .notDisabling(let patch):
            "cannot enable \(patch): no disable of it is in flight; the livepatch core enables a patch only "
                + "when its module loads (unload it and load it again)"
        case .stillPatched(let module):
            "cannot unload \(module): its livepatch is enabled; disable it first"
        case .stillDisabling(let module):
            "cannot unload \(module): its livepatch is still being disabled"
        case .orphan(let module, let states):
            "cannot unload \(module): klpsv keeps it as an orphan for block_disable state"
                + (states.count == 1 ? " " : "s ") + states.map(String.init).joined(separator: ", ")
                + "; load a patch that declares "
                + (states.count == 1 ? "it" : "them") + " to release it"
        }
    }
}
