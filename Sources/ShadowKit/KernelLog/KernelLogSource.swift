import SystemPackage

/// Where kernel log records come from. ``DevKmsg`` is the real one; host
/// tests use a fake.
public protocol KernelLogSource: Sendable {
    /// Opens a reader positioned at the oldest record still kept.
    func open() throws(Errno) -> any KernelLogReader
}

/// An open reader of the kernel log, with a position of its own.
public protocol KernelLogReader: AnyObject {
    /// Moves past every record logged so far.
    func seekToEnd() throws(Errno)

    /// The next record's raw text, or `nil` when none has been logged since.
    ///
    /// - Throws: `EPIPE` when records were overwritten before they could be
    ///   read; the next call goes on with the oldest record left.
    func nextRecord() throws(Errno) -> String?
}

/// ``KernelLogSource`` on `/dev/kmsg`, read without blocking.
public struct DevKmsg: KernelLogSource {
    /// The device.
    public static let path = "/dev/kmsg"
    /// Bytes read at a time: /dev/kmsg fails `read()`s too small for a record.
    static let recordBuffer = 16 * 1024

    public init() {}

    public func open() throws(Errno) -> any KernelLogReader {
        try Errno.catching {
            Reader(try FileDescriptor.open(FilePath(Self.path), .readOnly, options: [.nonBlocking]))
        }
    }

    private final class Reader: KernelLogReader {
        let fd: FileDescriptor

        init(_ fd: FileDescriptor) {
            self.fd = fd
        }

        deinit {
            try? fd.close()
        }

        func seekToEnd() throws(Errno) {
            _ = try Errno.catching { try fd.seek(offset: 0, from: .end) }
        }

        func nextRecord() throws(Errno) -> String? {
            var buffer = [UInt8](repeating: 0, count: DevKmsg.recordBuffer)
            do {
                let count = try Errno.catching { try buffer.withUnsafeMutableBytes { try fd.read(into: $0) } }
                return String(decoding: buffer[..<count], as: UTF8.self)
            } catch where error == .resourceTemporarilyUnavailable {
                return nil
            }
        }
    }
}
