import ShadowKit
import Synchronization
import SystemPackage

/// An in-memory ``FileAccess``: files with contents, directories, and
/// paths that fail with an errno.
final class FakeFiles: FileAccess {
    private struct State {
        var files: [String: String] = [:]
        var directories: Set<String> = []
        var failures: [String: Errno] = [:]
        var writes: [(path: String, text: String)] = []
    }

    private let state = Mutex(State())

    init(files: [String: String] = [:], directories: Set<String> = [], failures: [String: Errno] = [:]) {
        state.withLock {
            $0.files = files
            $0.directories = directories
            $0.failures = failures
        }
    }

    /// `/proc/mounts` with debugfs mounted at `/sys/kernel/debug`.
    static let debugfsMounted = """
        sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
        debugfs /sys/kernel/debug debugfs rw,nosuid,nodev,noexec,relatime 0 0

        """

    func setFile(_ path: String, _ text: String) {
        state.withLock { $0.files[path] = text }
    }

    /// Sets the file at `path`, making every directory above it.
    func setFileMakingDirectories(_ path: String, _ text: String) {
        state.withLock { state in
            state.files[path] = text
            var parent = Substring(path)
            while let slash = parent.lastIndex(of: "/"), slash != parent.startIndex {
                parent = parent[..<slash]
                state.directories.insert(String(parent))
            }
        }
    }

    /// Removes the file or directory at `path` and everything under it.
    func remove(_ path: String) {
        state.withLock { state in
            let inside = { (other: String) in other == path || other.hasPrefix(path + "/") }
            state.files = state.files.filter { !inside($0.key) }
            state.directories = state.directories.filter { !inside($0) }
        }
    }

    var writes: [(path: String, text: String)] {
        state.withLock { $0.writes }
    }

    func kind(of path: String) throws(Errno) -> FileKind? {
        let result: Result<FileKind?, Errno> = state.withLock { state in
            if let failure = state.failures[path] { return .failure(failure) }
            if state.directories.contains(path) { return .success(.directory) }
            return .success(state.files[path] == nil ? nil : .regularFile)
        }
        return try result.get()
    }

    func contents(of path: String) throws(Errno) -> String {
        let result: Result<String, Errno> = state.withLock { state in
            if let failure = state.failures[path] { return .failure(failure) }
            guard let text = state.files[path] else { return .failure(.noSuchFileOrDirectory) }
            return .success(text)
        }
        return try result.get()
    }

    func write(_ text: String, to path: String) throws(Errno) {
        let result: Result<Void, Errno> = state.withLock { state in
            if let failure = state.failures[path] { return .failure(failure) }
            guard state.files[path] != nil else { return .failure(.noSuchFileOrDirectory) }
            state.writes.append((path, text))
            state.files[path] = text
            return .success(())
        }
        try result.get()
    }

    func entries(of path: String) throws(Errno) -> [String] {
        let result: Result<[String], Errno> = state.withLock { state in
            if let failure = state.failures[path] { return .failure(failure) }
            guard state.directories.contains(path) else {
                return .failure(state.files[path] == nil ? .noSuchFileOrDirectory : .notDirectory)
            }
            let prefix = path + "/"
            let children = (Array(state.files.keys) + Array(state.directories)).compactMap { other in
                other.hasPrefix(prefix) ? other.dropFirst(prefix.count).split(separator: "/").first.map(String.init)
                    : nil
            }
            return .success(Array(Set(children)))
        }
        return try result.get()
    }
}
