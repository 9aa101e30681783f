import ShadowKit
import Synchronization
import SystemPackage

/// A ``KernelModuleBackend`` that keeps modules in memory and records calls.
final class FakeKmod: KernelModuleBackend {
    private struct State {
        var modules: [String: ModuleInfo] = [:]
        var insertFailure: Errno?
        var removeFailure: Errno?
        var calls: [String] = []
        /// Reference counts returned by successive `info` calls, then the last sticks.
        var refcounts: [String: [Int]] = [:]
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

    func failInsert(with errno: Errno) {
        state.withLock { $0.insertFailure = errno }
    }

    func failRemove(with errno: Errno) {
        state.withLock { $0.removeFailure = errno }
    }

    /// Makes `info(name)` report these refcounts, one per call.
    func refcounts(_ name: String, _ counts: [Int]) {
        state.withLock { $0.refcounts[name] = counts }
    }

    func insert(path: String, options: String) throws(Errno) {
        let result: Result<Void, Errno> = state.withLock { state in
            state.calls.append("insert \(path) '\(options)'")
            if let failure = state.insertFailure { return .failure(failure) }
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
