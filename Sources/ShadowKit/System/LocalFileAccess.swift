#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// ``FileAccess`` on the real file system.
public struct LocalFileAccess: FileAccess {
    /// Bytes read at a time from a virtual file (whose size `stat()` does
    /// not tell).
    static let readChunk = 64 * 1024

    public init() {}

    public func kind(of path: String) throws(Errno) -> FileKind? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let error = Errno(rawValue: errno)
            if error == .noSuchFileOrDirectory || error == .notDirectory { return nil }
            throw error
        }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile
        default: return .other
        }
    }

    public func contents(of path: String) throws(Errno) -> String {
        try Errno.catching {
            let fd = try FileDescriptor.open(FilePath(path), .readOnly)
            return try fd.closeAfter {
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: Self.readChunk)
                while true {
                    let count = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) }
                    if count == 0 { break }
                    bytes += chunk[..<count]
                }
                return String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    public func write(_ text: String, to path: String) throws(Errno) {
        try Errno.catching {
            let fd = try FileDescriptor.open(FilePath(path), .writeOnly)
            try fd.closeAfter {
                let bytes = Array(text.utf8)
                let written = try bytes.withUnsafeBytes { try fd.write($0) }
                if written != bytes.count { throw Errno.ioError }
            }
        }
    }

    public func entries(of path: String) throws(Errno) -> [String] {
        guard let directory = opendir(path) else { throw Errno(rawValue: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw Errno(rawValue: errno) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }
}
