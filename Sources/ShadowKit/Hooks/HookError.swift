import SystemPackage

/// A command klpsv_test refused: its `write()` failed, and nothing changed.
public struct HookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why, by the errno of the `write()`.
    public enum Code: Sendable, Equatable {
        /// `EINVAL`: unknown verb, bad token, value out of range, line too long.
        case malformedCommand
        /// `ENOENT`: the named parent object does not exist.
        case noSuchObject
        /// `EEXIST`: `obj new` of a name that exists.
        case objectExists
        /// `ENOMEM`: klpsv_test could not allocate.
        case outOfMemory
        /// `EACCES`/`EPERM`: the `ctl` file is root only.
        case permissionDenied
        /// Anything else; ``HookError/errno`` tells.
        case other

        /// The code for `errno`.
        public init(_ errno: Errno) {
            switch errno {
            case .invalidArgument: self = .malformedCommand
            case .noSuchFileOrDirectory: self = .noSuchObject
            case .fileExists: self = .objectExists
            case .noMemory: self = .outOfMemory
            case .permissionDenied, .notPermitted: self = .permissionDenied
            default: self = .other
            }
        }
    }

    /// Why.
    public var code: Code
    /// The errno of the `write()` (or `open()`).
    public var errno: Errno
    /// The command line refused.
    public var command: String

    /// Creates the error for `command` refused with `errno`.
    public init(command: String, errno: Errno) {
        self.code = Code(errno)
        self.errno = errno
        self.command = command
    }

    /// The reason in words.
    public var reason: String {
        switch code {
        case .malformedCommand: "malformed command"
        case .noSuchObject: "no such parent object"
        case .objectExists: "an object of that name exists"
        case .outOfMemory: "klpsv_test is out of memory"
        case .permissionDenied: "permission denied (are you root?)"
        case .other: "failed"
        }
    }

    public var description: String {
        "klpsv_test refused '\(command)': \(reason) (\(errno))"
    }
}
