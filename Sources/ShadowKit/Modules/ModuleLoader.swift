#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// Loads, unloads and inspects kernel modules, like kmod's `insmod`,
/// `rmmod` and `lsmod`, with errors in words.
public struct ModuleLoader: Sendable {
    /// How long ``unload(_:)`` waits for a module's last references (open
    /// files being closed) to go before it calls the module busy.
    public static let releaseTimeout: Duration = .seconds(2)
    /// How often it looks during that wait.
    public static let releasePollInterval: Duration = .milliseconds(50)

    private let backend: any KernelModuleBackend
    private let files: any FileAccess
    private let sleep: @Sendable (Duration) -> Void

    /// Creates a loader on `backend` (libkmod unless told otherwise).
    ///
    /// - Parameters:
    ///   - files: used to check that a module file exists before loading.
    ///   - sleep: how to wait between polls; tests pass a no-op.
    public init(
        backend: any KernelModuleBackend = LibkmodBackend(),
        files: any FileAccess = LocalFileAccess(),
        sleep: @escaping @Sendable (Duration) -> Void = ModuleLoader.sleep
    ) {
        self.backend = backend
        self.files = files
        self.sleep = sleep
    }

    /// The module name of the file at `path`, as the kernel will call it:
    /// the file name without `.ko` (and compression suffix), `-` read as `_`.
    public static func moduleName(forPath path: String) -> String {
        var name = Substring(path.split(separator: "/").last ?? "")
        for suffix in [".xz", ".gz", ".zst"] where name.hasSuffix(suffix) {
            name = name.dropLast(suffix.count)
        }
        if name.hasSuffix(".ko") { name = name.dropLast(3) }
        return moduleName(String(name))
    }

    /// `name` as the kernel calls the module and its livepatch: `-` read
    /// as `_`, so that `livepatch-foo` names `livepatch_foo`.
    public static func moduleName(_ name: String) -> String {
        String(name.map { $0 == "-" ? "_" : $0 })
    }

    /// The modules the module file at `path` depends on, from its
    /// `.modinfo` (`modinfo -F depends`).
    ///
    /// - Throws: ``ModuleError``; ``ModuleError/Code/fileNotFound`` when
    ///   there is no such file, ``ModuleError/Code/invalidFormat`` when it
    ///   is no module.
    public func dependencies(of path: String) throws(ModuleError) -> [String] {
        try checkFile(path)
        do {
            return try backend.dependencies(ofFile: path)
        } catch {
            throw loadFailure(path, error == .noSuchFileOrDirectory ? .fileNotFound : .invalidFormat, error)
        }
    }

    /// Checks that the module file at `path` exists, as `insmod` does
    /// before it reads it.
    private func checkFile(_ path: String) throws(ModuleError) {
        let kind: FileKind?
        do {
            kind = try files.kind(of: path)
        } catch {
            throw loadFailure(path, ModuleError.loadCode(for: error), error)
        }
        guard kind != nil else { throw loadFailure(path, .fileNotFound, .noSuchFileOrDirectory) }
    }

    /// The error of a failed load of the module file at `path`.
    private func loadFailure(_ path: String, _ code: ModuleError.Code, _ errno: Errno) -> ModuleError {
        ModuleError(code, errno: errno, operation: .load, module: Self.moduleName(forPath: path), path: path)
    }

    /// Loads the module file at `path` with `parameters` (`["list_max=5"]`).
    ///
    /// - Throws: ``ModuleError``; ``ModuleError/Code/fileNotFound`` when
    ///   there is no such file, otherwise the kernel's refusal.
    public func load(_ path: String, parameters: [String] = []) throws(ModuleError) {
        try checkFile(path)
        do {
            try backend.insert(path: path, options: parameters.joined(separator: " "))
        } catch {
            throw loadFailure(path, ModuleError.loadCode(for: error), error)
        }
    }

    /// Loads the installed module `name`, as `modprobe` does: the one
    /// `/lib/modules/$(uname -r)/modules.dep` names (a DKMS build under
    /// `updates/dkms/`), its dependencies first.
    ///
    /// - Returns: the path of the module file loaded.
    /// - Throws: ``ModuleError``; ``ModuleError/Code/fileNotFound`` when no
    ///   module of that name is installed for the running kernel.
    @discardableResult
    public func loadInstalled(_ name: String, parameters: [String] = []) throws(ModuleError) -> String {
        do {
            return try backend.insertInstalled(name: name, options: parameters.joined(separator: " "))
        } catch {
            let code: ModuleError.Code = error == .noSuchFileOrDirectory ? .fileNotFound : ModuleError.loadCode(for: error)
            throw ModuleError(code, errno: error, operation: .load, module: name)
        }
    }

    /// Loads module `name`: `NAME.ko` from `directory`, or, when there is
    /// no directory or no such file in it and `orInstalled` is set, the one
    /// installed for the running kernel (``loadInstalled(_:parameters:)``).
    ///
    /// - Returns: the path of the module file loaded.
    @discardableResult
    public func load(
        _ name: String, from directory: String?, orInstalled: Bool = true, parameters: [String] = []
    ) throws(ModuleError) -> String {
        if let directory {
            let path = directory + "/" + KlpsvModule.fileName(of: name)
            do {
                try load(path, parameters: parameters)
                return path
            } catch {
                guard error.code == .fileNotFound, orInstalled else { throw error }
            }
        }
        return try loadInstalled(name, parameters: parameters)
    }

    /// Unloads module `name` after checking, as `rmmod` does, that it is
    /// loaded, not builtin, and held by no other module. A module that only
    /// open files hold gets ``releaseTimeout`` to be let go.
    ///
    /// - Throws: ``ModuleError``; ``ModuleError/Code/inUse`` names the
    ///   holders.
    public func unload(_ name: String) throws(ModuleError) {
        func failure(_ code: ModuleError.Code, _ errno: Errno, _ info: ModuleInfo? = nil) -> ModuleError {
            ModuleError(code, errno: errno, operation: .unload, module: name,
                        holders: info?.holders ?? [], refcount: info?.refcount ?? 0)
        }
        var info = try query(name, for: .unload)
        guard let current = info else { throw failure(.notLoaded, .noSuchFileOrDirectory) }
        if current.state == .builtin { throw failure(.builtin, .resourceBusy) }
        if !current.holders.isEmpty { throw failure(.inUse, .resourceBusy, current) }
        var waited: Duration = .zero
        while let current = info, current.refcount > 0 {
            guard waited < Self.releaseTimeout else { throw failure(.inUse, .resourceBusy, current) }
            sleep(Self.releasePollInterval)
            waited += Self.releasePollInterval
            info = try query(name, for: .unload)
            if let again = info, !again.holders.isEmpty { throw failure(.inUse, .resourceBusy, again) }
        }
        guard info != nil else { return }
        do {
            try backend.remove(name: name)
        } catch {
            throw failure(ModuleError.unloadCode(for: error), error, info)
        }
    }

    /// The state of module `name`, or `nil` when it is not loaded.
    public func info(_ name: String) throws(ModuleError) -> ModuleInfo? {
        try query(name, for: .load)
    }

    /// True when module `name` is loaded (live or still initialising).
    public func isLoaded(_ name: String) -> Bool {
        guard let info = try? query(name, for: .load) else { return false }
        return info.state == .live || info.state == .coming
    }

    private func query(_ name: String, for operation: ModuleError.Operation) throws(ModuleError) -> ModuleInfo? {
        do {
            return try backend.info(name: name)
        } catch {
            let code: ModuleError.Code = error == .notPermitted || error == .permissionDenied ? .notPermitted : .other
            throw ModuleError(code, errno: error, operation: operation, module: name)
        }
    }

    /// Sleeps the calling thread for `duration`.
    @Sendable public static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
