import ShadowKit
import Synchronization
import SystemPackage

/// A ``KernelModuleBackend`` that keeps modules in memory and records calls.
final class FakeKmod: KernelModuleBackend {
    private struct State {
        var modules: [String: ModuleInfo] = [:]
        var insertFailure: Errno?
        /// Inserts that succeed before ``insertFailure`` applies.
        var insertsBeforeFailure = 0
        var removeFailure: Errno?
        var calls: [String] = []
        /// Reference counts returned by successive `info` calls, then the last sticks.
        var refcounts: [String: [Int]] = [:]
        /// `depends` of module files, by path; none when not set.
        var dependencies: [String: [String]] = [:]
    }

    private let state = Mutex(State())

    init(_ modules: [ModuleInfo] = []) {
        state.withLock { state in
            for module in modules { state.modules[module.name] = module }
        }
    }

    var calls: [String] {
        state.withLock { $0.calls }
    }

    /// Makes inserts fail with `errno`, after the first `after` succeed.
    func failInsert(with errno: Errno, after: Int = 0) {
        state.withLock {
            $0.insertFailure = errno
            $0.insertsBeforeFailure = after
        }
    }

    func failRemove(with errno: Errno) {
        state.withLock { $0.removeFailure = errno }
    }

    /// Makes `info(name)` report these refcounts, one per call.
    func refcounts(_ name: String, _ counts: [Int]) {
        state.withLock { $0.refcounts[name] = counts }
    }

    /// Makes the module file at `path` depend on `modules`.
    func setDependencies(_ path: String, _ modules: [String]) {
        state.withLock { $0.dependencies[path] = modules }
    }

    func dependencies(ofFile path: String) throws(Errno) -> [String] {
        state.withLock { state in
            state.calls.append("modinfo \(path)")
            return state.dependencies[path] ?? []
        }
    }

    func insertInstalled(name: String, options: String) throws(Errno) -> String {
        let path = "/lib/modules/test/updates/dkms/\(name).ko"
        try insert(path: path, options: options)
        return path
    }

    func insert(path: String, options: String) throws(Errno) {
        let result: Result<Void, Errno> = state.withLock { state in
            state.calls.append("insert \(path) '\(options)'")
            if let failure = state.insertFailure {
                guard state.insertsBeforeFailure > 0 else { return .failure(failure) }
                state.insertsBeforeFailure -= 1
            }
            let name = ModuleLoader.moduleName(forPath: path)
            guard state.modules[name] == nil else { return .failure(.fileExists) }
            state.modules[name] = ModuleInfo(name: name, state: .live)
            return .success(())
        }
        try result.get()
    }

    func remove(name: String) throws(Errno) {
        let result: Result<Void, Errno> = state.withLock { state in
            state.calls.append("remove \(name)")
            if let failure = state.removeFailure { return .failure(failure) }
            guard state.modules.removeValue(forKey: name) != nil else { return .failure(.noSuchFileOrDirectory) }
            return .success(())
        }
        try result.get()
    }

    func info(name: String) throws(Errno) -> ModuleInfo? {
        state.withLock { state in
            state.calls.append("info \(name)")
            guard var module = state.modules[name] else { return nil }
            if var counts = state.refcounts[name], !counts.isEmpty {
                module.refcount = counts.removeFirst()
                state.refcounts[name] = counts.isEmpty ? [module.refcount] : counts
                state.modules[name] = module
            }
            return module
        }
    }
}
