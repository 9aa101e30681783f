import SystemPackage

/// A benchmark command the kernel refused, or a file of the benchmark that
/// could not be read or written.
public struct BenchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command written to `klpsv_bench/ctl`, if one was refused.
    public var command: String?
    /// The file.
    public var path: String
    /// The kernel's answer.
    public var errno: Errno

    /// Creates an error about `command` written to `path`, or about `path`
    /// alone.
    public init(command: String?, path: String, errno: Errno) {
        self.command = command
        self.path = path
        self.errno = errno
    }

    /// Creates an error about `run`.
    public init(run: BenchRun, path: String, errno: Errno) {
        self.init(command: run.command, path: path, errno: errno)
    }

    public var description: String {
        guard let command else {
            switch errno {
            case .permissionDenied, .notPermitted: return "cannot access \(path): \(errno) (are you root?)"
            default: return "cannot access \(path): \(errno)"
            }
        }
        let what = "benchmark command '\(command)'"
        let verb = command.prefix { $0 != " " }
        switch errno {
        case .noSuchFileOrDirectory:
            return "\(what): no \(path): is \(KlpsvBench.module) loaded?"
        case .invalidArgument where verb == "release":
            return "\(what): nothing is held on that store"
        case .invalidArgument:
            return "\(what): refused as malformed (\(errno))"
        case .resourceBusy where verb == "hold":
            return "\(what): \(KlpsvBench.module) holds shadows already"
        case .resourceBusy:
            return "\(what): another benchmark run is in progress"
        case .noMemory:
            return "\(what): not enough memory for that many shadows"
        default:
            return "\(what): \(errno)"
        }
    }
}
