/// One record of the kernel log, as `/dev/kmsg` gives it:
/// `PRI,SEQ,TS,FLAGS[,...];MESSAGE`, then ` KEY=value` lines.
public struct KernelLogRecord: Sendable, Equatable {
    /// The log level: 0 (`KERN_EMERG`) to 7 (`KERN_DEBUG`).
    public var level: Int
    /// The syslog facility (0 for the kernel).
    public var facility: Int
    /// The record's sequence number.
    public var sequence: UInt64
    /// Microseconds since boot.
    public var timestamp: UInt64
    /// True for a continuation of the previous record (flag `c`).
    public var isContinuation: Bool
    /// The message text, escapes (`\x0a`) decoded.
    public var message: String

    /// Creates a record.
    public init(level: Int = 6, facility: Int = 0, sequence: UInt64 = 0, timestamp: UInt64 = 0,
                isContinuation: Bool = false, message: String) {
        self.level = level
        self.facility = facility
        self.sequence = sequence
        self.timestamp = timestamp
        self.isContinuation = isContinuation
        self.message = message
    }

    /// Parses one record read from `/dev/kmsg`; the ` KEY=value`
    /// dictionary lines after the message are dropped.
    ///
    /// - Throws: ``MalformedOutput`` when the prefix is not
    ///   `PRI,SEQ,TS,FLAGS;`.
    public init(parsing text: String) throws(MalformedOutput) {
        func failure(_ reason: String) -> MalformedOutput {
            MalformedOutput(source: "kernel log record", reason: reason, text: text)
        }
        guard let semicolon = text.firstIndex(of: ";") else { throw failure("no ';'") }
        let fields = text[..<semicolon].split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count >= 4, let priority = Int(fields[0]), let sequence = UInt64(fields[1]),
              let timestamp = UInt64(fields[2]) else {
            throw failure("prefix is not PRI,SEQ,TS,FLAGS")
        }
        let body = text[text.index(after: semicolon)...]
        let message = body.prefix { $0 != "\n" }
        self.init(level: priority & 7, facility: priority >> 3, sequence: sequence, timestamp: timestamp,
                  isContinuation: fields[3].contains("c"), message: Self.unescape(message))
    }

    /// Decodes the `\xNN` escapes /dev/kmsg writes for unprintable bytes.
    static func unescape(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            let escape = utf8.prefix(3)
            if byte == UInt8(ascii: "\\"), escape.count == 3, escape.first == UInt8(ascii: "x"),
               let value = UInt8(String(decoding: escape.dropFirst(), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
