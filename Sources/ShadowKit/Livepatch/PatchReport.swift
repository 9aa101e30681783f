/// What one step of ``PatchControl`` did.
public struct PatchReport: Sendable, Equatable {
    /// The step.
    public enum Step: String, Sendable, Equatable {
        /// The module was loaded, which enabled its patch.
        case load
        /// A disable in flight was reversed.
        case enable
        /// The patch was disabled.
        case disable
    }

    /// The step.
    public var step: Step
    /// The livepatch.
    public var patch: String
    /// How long the transition took to finish, as seen by polling.
    public var waited: Duration
    /// The patch's sysfs status afterwards; `nil` once a disabled patch is
    /// freed.
    public var status: Livepatch.Status?
    /// What happened to klpsv's states; empty when klpsv is not loaded.
    public var changes: StateChanges
    /// The livepatches enabled before and not after: those an atomic
    /// replace disabled.
    public var replaced: [String]
    /// Whether klpsv keeps the patch as an orphan: disabled by force while
    /// the last to support a `block_disable` state.
    public var orphan: Bool
    /// Whether klpsv.ko was loaded for this step.
    public var loadedStore: Bool

    /// Creates a report.
    public init(step: Step, patch: String, waited: Duration, status: Livepatch.Status?, changes: StateChanges,
                replaced: [String] = [], orphan: Bool = false, loadedStore: Bool = false) {
        self.step = step
        self.patch = patch
        self.waited = waited
        self.status = status
        self.changes = changes
        self.replaced = replaced
        self.orphan = orphan
        self.loadedStore = loadedStore
    }

    /// Whether the patch ended enabled: a load or enable that the kernel
    /// reversed ends disabled, a disable reversed ends enabled.
    public var endedEnabled: Bool {
        status?.enabled ?? false
    }

    /// All shadows freed with the removed `is_shadow` states.
    public var freedShadows: UInt64 {
        changes.removed.reduce(0) { $0 + $1.freedShadows }
    }
}
