import SystemPackage

/// A livepatch's sysfs files that cannot be reached or written.
public struct LivepatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why.
    public enum Code: Sendable, Equatable {
        /// There is no livepatch directory: the kernel has no livepatch
        /// support (`CONFIG_LIVEPATCH`).
        case notAvailable
        /// No livepatch of that name is in sysfs.
        case noSuchPatch
        /// sysfs refused: not root.
        case permissionDenied
        /// The livepatch core refused the write to `enabled`;
        /// ``LivepatchError/errno`` and ``LivepatchError/enabling`` tell more.
        case refused
        /// Reading or writing failed otherwise; ``LivepatchError/errno`` tells.
        case ioFailure
    }

    /// Why.
    public var code: Code
    /// The file or directory concerned.
    public var path: String
    /// The livepatch, when one is concerned.
    public var patch: String?
    /// The underlying error, when a system call failed.
    public var errno: Errno?
    /// For a write to `enabled`: whether it was enabling (`true`) or
    /// disabling (`false`).
    public var enabling: Bool?

    /// Creates an error about `path`.
    public init(_ code: Code, path: String, patch: String? = nil, errno: Errno? = nil, enabling: Bool? = nil) {
        self.code = code
        self.path = path
        self.patch = patch
        self.errno = errno
        self.enabling = enabling
    }

    /// The error for a failed system call on `path`.
    static func from(_ errno: Errno, path: String, patch: String?) -> LivepatchError {
        switch errno {
        case .noSuchFileOrDirectory, .notDirectory:
            LivepatchError(patch == nil ? .notAvailable : .noSuchPatch, path: path, patch: patch, errno: errno)
        case .permissionDenied, .notPermitted:
            LivepatchError(.permissionDenied, path: path, patch: patch, errno: errno)
        default:
            LivepatchError(.ioFailure, path: path, patch: patch, errno: errno)
        }
    }

    public var description: String {
        let name = patch ?? "the livepatch"
        switch code {
        case .notAvailable:
            return "the kernel has no livepatch support (no \(path))"
        case .noSuchPatch:
            return "no livepatch \(name) (no \(path))"
        case .permissionDenied:
            return "cannot access \(path): \(errno ?? .permissionDenied) (are you root?)"
        case .refused:
            let verb = enabling == true ? "enable" : "disable"
            switch (errno, enabling) {
            case (.resourceBusy?, _):
                return "cannot \(verb) \(name): another livepatch is in a transition (\(Errno.resourceBusy))"
            case (.invalidArgument?, true?):
                return "cannot enable \(name): the livepatch core re-enables a patch only while its "
                    + "disable is in flight; load it again instead"
            case (.invalidArgument?, false?):
                return "cannot disable \(name): it is not enabled"
            default:
                return "cannot \(verb) \(name): \(errno ?? .invalidArgument)"
            }
        case .ioFailure:
            return "cannot access \(path): \(errno ?? .ioError)"
        }
    }
}
