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

    public var description: String {
        let back = timeout.patching ? "unpatched" : "patched"
        let outcome = reversal.map { "\(timeout.patch) was reversed: \(back) again in \($0.wholeSeconds)." }
            ?? "\(timeout.patch) is being reversed, and that did not finish in \(timeout.waited.wholeSeconds) either; "
            + "it goes on in the kernel."
        return timeout.description + "\n" + outcome
    }
}
