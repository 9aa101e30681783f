import SystemPackage

/// The exchange with klpsv_test's `ctl` file: one command line in, one
/// result line out. ``ControlFile`` is the real one; tests use a fake.
public protocol ControlChannel: Sendable {
    /// Writes `line` (one command, newline included) and returns the result
    /// line klpsv_test prepared for it.
    ///
    /// - Throws: the errno of the failed `write()`; the command did nothing.
    func exchange(_ line: String) throws(Errno) -> String
}

/// ``ControlChannel`` on the `ctl` file: each exchange opens it read-write,
/// writes the command with one `write()`, reads the result with `pread()` at
/// offset 0, and closes it, so no module reference outlives the call.
public struct ControlFile: ControlChannel {
    /// Bytes read at a time from the result.
    static let readChunk = 4096

    /// The `ctl` file.
    public let path: String

    /// Creates a channel on the `ctl` file at `path`.
    public init(path: String) {
        self.path = path
    }

    public func exchange(_ line: String) throws(Errno) -> String {
        try Errno.catching {
            let fd = try FileDescriptor.open(FilePath(path), .readWrite)
            return try fd.closeAfter {
                let command = Array(line.utf8)
                let written = try command.withUnsafeBytes { try fd.write($0) }
                if written != command.count { throw Errno.ioError }
                var result: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: Self.readChunk)
                while true {
                    let offset = Int64(result.count)
                    let count = try chunk.withUnsafeMutableBytes { try fd.read(fromAbsoluteOffset: offset, into: $0) }
                    if count == 0 { break }
                    result += chunk[..<count]
                }
                return String(decoding: result, as: UTF8.self)
            }
        }
    }
}
