/// The flags of a system state as klpsv's debugfs files print them:
/// `-`, `shadow`, `block`, or `shadow+block`.
public struct StateFlags: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Shadows with the state's id live and die with the state (`is_shadow`).
    public var isShadow: Bool
    /// The state cannot be reverted (`block_disable`).
    public var blockDisable: Bool

    /// Creates flags; none by default.
    public init(isShadow: Bool = false, blockDisable: Bool = false) {
        self.isShadow = isShadow
        self.blockDisable = blockDisable
    }

    /// Parses `-`, `shadow`, `block` or `shadow+block`; nil for anything else.
    public init?(parsing text: Substring) {
        if text == "-" {
            self.init()
            return
        }
        var flags = StateFlags()
        for word in text.split(separator: "+", omittingEmptySubsequences: false) {
            switch word {
            case "shadow" where !flags.isShadow: flags.isShadow = true
            case "block" where !flags.blockDisable: flags.blockDisable = true
            default: return nil
            }
        }
        self = flags
    }

    /// The debugfs spelling.
    public var description: String {
        switch (isShadow, blockDisable) {
        case (false, false): "-"
        case (true, false): "shadow"
        case (false, true): "block"
        case (true, true): "shadow+block"
        }
    }
}
