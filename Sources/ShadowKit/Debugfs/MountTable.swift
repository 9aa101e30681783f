/// The mounts listed in `/proc/mounts`.
public struct MountTable: Sendable, Equatable {
    /// One mounted file system.
    public struct Mount: Sendable, Equatable {
        /// Where it came from (`none`, `debugfs`, `/dev/vda1`).
        public var source: String
        /// Where it is mounted.
        public var mountPoint: String
        /// Its file-system type (`debugfs`).
        public var type: String
    }

    /// The mounts, in mount order.
    public var mounts: [Mount]

    /// Parses the text of `/proc/mounts`, decoding the octal escapes
    /// (`\040` for a space) of mount points.
    public init(parsing text: String) {
        mounts = text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { return nil }
            return Mount(source: String(fields[0]), mountPoint: Self.unescape(fields[1]),
                         type: String(fields[2]))
        }
    }

    /// The type of the file system mounted last at `path`, if any.
    public func type(at path: String) -> String? {
        mounts.last { $0.mountPoint == path }?.type
    }

    private static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            let digits = utf8.prefix(3)
            if byte == UInt8(ascii: "\\"), digits.count == 3,
               let value = UInt8(String(decoding: digits, as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
