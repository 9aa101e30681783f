/// Text that must not appear in the kernel log of a passing test.
public struct ForbiddenPattern: Sendable, Equatable, CustomStringConvertible {
    /// The text looked for.
    public var text: String
    /// Whether case is ignored.
    public var ignoresCase: Bool
    /// Whether a match must start a word (not follow a letter), so that
    /// `stall` does not match `install`.
    public var startsWord: Bool

    /// Creates a pattern.
    public init(_ text: String, ignoresCase: Bool = false, startsWord: Bool = false) {
        self.text = text
        self.ignoresCase = ignoresCase
        self.startsWord = startsWord
    }

    /// True when `message` contains the pattern.
    public func matches(_ message: String) -> Bool {
        let haystack = Array((ignoresCase ? message.lowercased() : message).unicodeScalars)
        let needle = Array((ignoresCase ? text.lowercased() : text).unicodeScalars)
        return haystack.ranges(of: needle).contains { range in
            !startsWord || range.lowerBound == 0 || !haystack[range.lowerBound - 1].properties.isAlphabetic
        }
    }

    public var description: String { text }

    /// What a clean test log never contains: warnings, BUGs, oopses and
    /// general protection faults, leaked slab objects, RCU stalls and
    /// lockups, stack traces, sanitizer and kmemleak reports, and the
    /// checkers of a debug kernel reporting or turning themselves off
    /// (lockdep, debugobjects, list debugging, RCU lockdep).
    public static let standard: [ForbiddenPattern] = [
        ForbiddenPattern("WARNING:"),
        ForbiddenPattern("BUG:"),
        ForbiddenPattern("Oops"),
        ForbiddenPattern("general protection"),
        ForbiddenPattern("still has objects"),
        ForbiddenPattern("Objects remaining"),
        ForbiddenPattern("stall", ignoresCase: true, startsWord: true),
        ForbiddenPattern("lockup", ignoresCase: true, startsWord: true),
        ForbiddenPattern("Call Trace:"),
        ForbiddenPattern("UBSAN:"),
        ForbiddenPattern("suspected memory leak"),
        ForbiddenPattern("Disabling lock debugging"),
        ForbiddenPattern("suspicious RCU usage"),
        ForbiddenPattern("ODEBUG:"),
        ForbiddenPattern("list_add corruption"),
        ForbiddenPattern("list_del corruption"),
    ]
}
