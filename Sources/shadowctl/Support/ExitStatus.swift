import ShadowKit

/// shadowctl's exit statuses, documented in the root command's help.
enum ExitStatus: Int32 {
    /// Done.
    case success = 0
    /// The kernel refused, a check failed, or I/O failed.
    case failure = 1
    /// Bad arguments.
    case usage = 2
    /// Not root.
    case permission = 3
    /// klpsv or klpsv_test not loaded, or debugfs not mounted.
    case unavailable = 4
    /// No such shadow or object, or the shadow API returned NULL.
    case notFound = 5

    /// The status for `error` thrown by ShadowKit, or `nil` for another.
    init?(for error: any Error) {
        switch error {
        case let error as ModuleError:
            switch error.code {
            case .notPermitted: self = .permission
            case .notLoaded: self = .unavailable
            default: self = .failure
            }
        case let error as DebugfsError:
            switch error.code {
            case .notMounted, .moduleNotLoaded: self = .unavailable
            case .permissionDenied: self = .permission
            case .ioFailure: self = .failure
            }
        case let error as HookError:
            switch error.code {
            case .noSuchObject: self = .notFound
            case .permissionDenied: self = .permission
            default: self = .failure
            }
        case let error as LivepatchError:
            switch error.code {
            case .notAvailable: self = .unavailable
            case .noSuchPatch: self = .notFound
            case .permissionDenied: self = .permission
            case .refused, .ioFailure: self = .failure
            }
        case let error as BenchError:
            switch error.errno {
            case .noSuchFileOrDirectory: self = .unavailable
            case .permissionDenied, .notPermitted: self = .permission
            default: self = .failure
            }
        case is PatchControlError, is TransitionTimeout, is ReleaseTimeout:
            self = .failure
        case let error as CommandFailure:
            self = error.status
        case is MalformedOutput:
            self = .failure
        default:
            return nil
        }
    }
}

/// A failure shadowctl reports itself: `shadowctl: MESSAGE` on standard
/// error, then exit with `status`.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var status: ExitStatus

    init(_ description: String, status: ExitStatus = .failure) {
        self.description = description
        self.status = status
    }
}
