/// The exit status of a command that ends in a ShadowKit error: one table
/// for every error type, so that the same situation gives the same status
/// whichever command met it (`shadowctl --help`, docs/shadowctl.md).
///
/// | status | meaning |
/// | --- | --- |
/// | 0 | success |
/// | 1 | failure: the kernel refused, a check failed, a transition timed out, I/O failed |
/// | 2 | usage error: bad arguments |
/// | 3 | permission denied: not root, or lockdown |
/// | 4 | unavailable: klpsv, klpsv_test or klpsv_bench not loaded, no debugfs, no livepatch support |
/// | 5 | not found: no such shadow, object, livepatch, module or module file |
public enum ExitStatus: Int32, Sendable, CaseIterable, Codable {
    /// Done.
    case success = 0
    /// The kernel refused, a check failed, a transition timed out, or I/O
    /// failed.
    case failure = 1
    /// Bad arguments.
    case usage = 2
    /// Not root, or a lockdown forbids it.
    case permission = 3
    /// A module klpsv's tools need is not loaded, debugfs is not mounted,
    /// or the kernel has no livepatch support.
    case unavailable = 4
    /// What was named does not exist: a shadow, a parent object, a
    /// livepatch, a module or a module file.
    case notFound = 5
}

/// An error with its place in the ``ExitStatus`` table.
public protocol ExitStatusError: Error {
    /// The status a command that ends in this error exits with.
    var exitStatus: ExitStatus { get }
}

extension ModuleError: ExitStatusError {
    /// klpsv's own modules, which the tools load themselves, are
    /// unavailable when missing; a module the caller named is not found.
    public var exitStatus: ExitStatus {
        switch code {
        case .notPermitted: .permission
        case .fileNotFound: .notFound
        case .notLoaded: KlpsvModule.all.contains(module) ? .unavailable : .notFound
        default: .failure
        }
    }
}

extension DebugfsError: ExitStatusError {
    public var exitStatus: ExitStatus {
        switch code {
        case .notMounted, .moduleNotLoaded: .unavailable
        case .permissionDenied: .permission
        case .ioFailure: .failure
        }
    }
}

extension HookError: ExitStatusError {
    public var exitStatus: ExitStatus {
        switch code {
        case .noSuchObject: .notFound
        case .permissionDenied: .permission
        default: .failure
        }
    }
}

extension LivepatchError: ExitStatusError {
    public var exitStatus: ExitStatus {
        switch code {
        case .notAvailable: .unavailable
        case .noSuchPatch: .notFound
        case .permissionDenied: .permission
        case .refused, .ioFailure: .failure
        }
    }
}

extension BenchError: ExitStatusError {
    public var exitStatus: ExitStatus {
        switch errno {
        case .noSuchFileOrDirectory: .unavailable
        case .permissionDenied, .notPermitted: .permission
        default: .failure
        }
    }
}

extension PatchControlError: ExitStatusError {
    public var exitStatus: ExitStatus { .failure }
}

extension TransitionTimeout: ExitStatusError {
    public var exitStatus: ExitStatus { .failure }
}

extension RevertedTransition: ExitStatusError {
    public var exitStatus: ExitStatus { .failure }
}

extension ReleaseTimeout: ExitStatusError {
    public var exitStatus: ExitStatus { .failure }
}

extension MalformedOutput: ExitStatusError {
    public var exitStatus: ExitStatus { .failure }
}

extension InvalidArgument: ExitStatusError {
    public var exitStatus: ExitStatus { .usage }
}
