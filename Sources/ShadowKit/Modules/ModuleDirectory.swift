#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where the built `klpsv.ko` and `klpsv_test.ko` are.
public enum ModuleDirectory {
    /// The environment variable naming the directory.
    public static let environmentVariable = "KLPSV_KMOD_DIR"
    /// The directory's name in the repository.
    public static let repositoryName = "kmod"
    /// The file that marks a repository's module directory.
    public static let marker = "Kbuild"

    /// The module directory: `$KLPSV_KMOD_DIR` when set, else the
    /// repository's `kmod/`, found by walking up from the running
    /// executable (`REPO/.build/debug/shadowctl`), then from the current
    /// directory.
    public static func locate(files: any FileAccess = LocalFileAccess()) -> String? {
        if let directory = ProcessEnvironment.nonEmptyValue(environmentVariable) {
            return directory
        }
        let starts = [executableDirectory, currentDirectory].compactMap { $0 }
        return find(walkingUpFrom: starts, files: files)
    }

    /// The first `kmod/` holding a `Kbuild` in a directory at or above one
    /// of `starts`, tried in order.
    public static func find(walkingUpFrom starts: [String], files: any FileAccess) -> String? {
        for start in starts {
            var directory = start
            while true {
                let candidate = (directory == "/" ? "" : directory) + "/" + repositoryName
                if (try? files.kind(of: candidate + "/" + marker)) == .regularFile {
                    return candidate
                }
                guard directory != "/", let slash = directory.lastIndex(of: "/") else { break }
                directory = slash == directory.startIndex ? "/" : String(directory[..<slash])
            }
        }
        return nil
    }

    /// The directory of the running executable (`/proc/self/exe`).
    static var executableDirectory: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The current directory.
    static var currentDirectory: String? {
        guard let path = getcwd(nil, 0) else { return nil }
        defer { free(path) }
        return String(cString: path)
    }
}
