import SystemPackage

/// A module that could not be loaded or unloaded, in words as kmod's
/// `insmod` and `rmmod` would put them.
public struct ModuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// The file is not a module for this kernel (`ENOEXEC`).
        case invalidFormat
        /// A symbol the module needs is missing, or a parameter is unknown
        /// (`ENOENT` from the kernel).
        case unknownSymbolOrParameter
        /// A module of that name is loaded already (`EEXIST`).
        case alreadyLoaded
        /// A parameter value was refused (`EINVAL`).
        case invalidParameters
        /// Loading and unloading modules needs `CAP_SYS_MODULE` (`EPERM`).
        case notPermitted
        /// Other modules or open files hold the module (`EBUSY` on unload).
        case inUse
        /// The module's init function refused with `EBUSY` (a livepatch
        /// whose transition cannot start, or that klpsv refuses).
        case initBusy
        /// The module is not loaded.
        case notLoaded
        /// The module is built into the kernel.
        case builtin
        /// The module file does not exist.
        case fileNotFound
        /// Anything else; ``ModuleError/errno`` tells.
        case other
    }

    /// Whether the module was being loaded or unloaded.
    public enum Operation: String, Sendable, Equatable {
        case load
        case unload
    }

    /// What went wrong.
    public var code: Code
    /// The underlying error.
    public var errno: Errno
    /// What was being done.
    public var operation: Operation
    /// The module name.
    public var module: String
    /// The module file, when loading.
    public var path: String?
    /// For ``Code/inUse``: the modules that hold it.
    public var holders: [String]
    /// For ``Code/inUse``: its reference count.
    public var refcount: Int

    /// Creates an error; most callers get theirs from ``ModuleLoader``.
    public init(
        _ code: Code, errno: Errno, operation: Operation, module: String,
        path: String? = nil, holders: [String] = [], refcount: Int = 0
    ) {
        self.code = code
        self.errno = errno
        self.operation = operation
        self.module = module
        self.path = path
        self.holders = holders
        self.refcount = refcount
    }

    /// The reason alone, as kmod words it: "Invalid module format".
    public var reason: String {
        switch code {
        case .invalidFormat: "Invalid module format"
        case .unknownSymbolOrParameter: "Unknown symbol in module, or unknown parameter (see dmesg)"
        case .alreadyLoaded: "Module already loaded (\(errno))"
        case .invalidParameters: "Invalid parameters (see dmesg)"
        case .notPermitted: "Operation not permitted (are you root?)"
        case .inUse where !holders.isEmpty: "Module is in use by: \(holders.joined(separator: " "))"
        case .inUse where refcount > 0: "Module is in use (refcount \(refcount))"
        case .inUse: "Module is in use"
        case .initBusy: "Device or resource busy (its init refused: see dmesg)"
        case .notLoaded: "Module is not currently loaded"
        case .builtin: "Module is builtin"
        case .fileNotFound: "Module file not found (\(errno))"
        case .other: errno.description
        }
    }

    public var description: String {
        switch operation {
        case .load: "could not load \(module)\(path.map { " from \($0)" } ?? ""): \(reason)"
        case .unload: "could not unload \(module): \(reason)"
        }
    }

    /// The code for `errno` returned by `init_module()`.
    public static func loadCode(for errno: Errno) -> Code {
        switch errno {
        case .execFormatError: .invalidFormat
        case .noSuchFileOrDirectory: .unknownSymbolOrParameter
        case .fileExists: .alreadyLoaded
        case .invalidArgument: .invalidParameters
        case .notPermitted, .permissionDenied: .notPermitted
        case .resourceBusy: .initBusy
        default: .other
        }
    }

    /// The code for `errno` returned by `delete_module()`.
    public static func unloadCode(for errno: Errno) -> Code {
        switch errno {
        case .noSuchFileOrDirectory: .notLoaded
        case .notPermitted, .permissionDenied: .notPermitted
        case .resourceBusy, .resourceTemporarilyUnavailable: .inUse
        default: .other
        }
    }
}
