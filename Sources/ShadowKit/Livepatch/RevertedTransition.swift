/// A livepatch transition that timed out and was then reversed, as the
/// caller asked (`shadowctl patch … --revert-on-timeout`): the patch is
/// back where it was before the step, or its reversal is still in flight.
public struct RevertedTransition: Error, Sendable, Equatable, CustomStringConvertible {
    /// The transition that did not finish, and who held it up.
    public var timeout: TransitionTimeout
    /// How long the reversal took, or `nil` when it did not finish in the
    /// same time either and still goes on in the kernel.
    public var reversal: Duration?

    /// Creates the error.
    public init(timeout: TransitionTimeout, reversal: Duration?) {
        self.timeout = timeout
        self.reversal = reversal
    }

    /// What happened, then who held the transition up (as
    /// ``TransitionTimeout`` lists them).
    public var description: String {
        let verb = timeout.patching ? "patching" : "unpatching"
        let back = timeout.patching ? "unpatched" : "patched"
        let first = "\(timeout.patch) did not finish \(verb) in \(timeout.waited.wholeSeconds), and was reversed: "
            + (reversal.map { "\(back) again in \($0.wholeSeconds)." }
                ?? "the reversal did not finish in as long either, and goes on in the kernel.")
        let tasks = timeout.description.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
        return ([first] + tasks.map(String.init)).joined(separator: "\n")
    }
}
