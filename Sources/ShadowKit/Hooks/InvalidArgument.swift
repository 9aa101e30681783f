/// A test-hook argument that klpsv_test would refuse, caught before it is
/// sent: the message says what is expected.
public struct InvalidArgument: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in words.
    public var description: String

    /// Creates an error saying `description`.
    public init(_ description: String) {
        self.description = description
    }
}
