/// Kernel output that does not have the documented shape: a klpsv debugfs
/// file or a test-hook result line.
public struct MalformedOutput: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being read: `"klpsv stats"`, `"ctl result"`.
    public var source: String
    /// The 1-based line number, or 0 for a one-line source.
    public var line: Int
    /// What is wrong with it.
    public var reason: String
    /// The offending text.
    public var text: String

    /// Creates an error about `text` in `source`.
    public init(source: String, line: Int = 0, reason: String, text: String) {
        self.source = source
        self.line = line
        self.reason = reason
        self.text = text
    }

    public var description: String {
        let place = line > 0 ? "\(source), line \(line)" : source
        return "malformed \(place): \(reason): '\(text)'"
    }
}
