import SystemPackage

/// A klpsv debugfs file that cannot be reached.
public struct DebugfsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why.
    public enum Code: Sendable, Equatable {
        /// No debugfs is mounted where klpsv's files are looked for.
        case notMounted
        /// The module whose directory it is, ``DebugfsError/module``, is
        /// not loaded.
        case moduleNotLoaded
        /// debugfs is for root only.
        case permissionDenied
        /// Reading or writing failed otherwise; ``DebugfsError/errno`` tells.
        case ioFailure
    }

    /// Why.
    public var code: Code
    /// The file or directory concerned.
    public var path: String
    /// For ``Code/moduleNotLoaded``: the module.
    public var module: String?
    /// The underlying error, when a system call failed.
    public var errno: Errno?

    /// Creates an error about `path`.
    public init(_ code: Code, path: String, module: String? = nil, errno: Errno? = nil) {
        self.code = code
        self.path = path
        self.module = module
        self.errno = errno
    }

    /// The error for a failed system call on `path`.
    static func from(_ errno: Errno, path: String, module: String) -> DebugfsError {
        switch errno {
        case .noSuchFileOrDirectory: DebugfsError(.moduleNotLoaded, path: path, module: module, errno: errno)
        case .permissionDenied, .notPermitted: DebugfsError(.permissionDenied, path: path, errno: errno)
        default: DebugfsError(.ioFailure, path: path, errno: errno)
        }
    }

    public var description: String {
        switch code {
        case .notMounted: "debugfs is not mounted at \(path) (mount -t debugfs none \(path))"
        case .moduleNotLoaded: "\(module ?? "the module") is not loaded (no \(path))"
        case .permissionDenied: "cannot access \(path): \(errno ?? .permissionDenied) (are you root?)"
        case .ioFailure: "cannot access \(path): \(errno ?? .ioError)"
        }
    }
}
