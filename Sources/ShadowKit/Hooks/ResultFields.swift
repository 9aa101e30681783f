/// A klpsv_test result line, `key=value` pairs separated by spaces, with
/// typed access to its fields.
public struct ResultFields: Sendable, Equatable {
    /// The pairs, in line order.
    public private(set) var pairs: [(key: String, value: String)]
    /// The line as read, newline dropped.
    public let line: String

    static let source = "ctl result"

    /// Splits `line` into its pairs.
    ///
    /// - Throws: ``MalformedOutput`` for an empty line, a token without
    ///   `=`, an empty key or a key given twice.
    public init(parsing line: String) throws(MalformedOutput) {
        var text = Substring(line)
        while text.last == "\n" { text = text.dropLast() }
        self.line = String(text)
        pairs = []
        for token in text.split(separator: " ") {
            guard let equals = token.firstIndex(of: "="), equals != token.startIndex else {
                throw MalformedOutput(source: Self.source, reason: "'\(token)' is not key=value", text: self.line)
            }
            let key = String(token[..<equals])
            guard !pairs.contains(where: { $0.key == key }) else {
                throw MalformedOutput(source: Self.source, reason: "'\(key)' given twice", text: self.line)
            }
            pairs.append((key, String(token[token.index(after: equals)...])))
        }
        if pairs.isEmpty {
            throw MalformedOutput(source: Self.source, reason: "empty result", text: self.line)
        }
    }

    public static func == (lhs: ResultFields, rhs: ResultFields) -> Bool {
        lhs.line == rhs.line
    }

    /// The value of `key`, or `nil` when absent.
    public subscript(key: String) -> String? {
        pairs.first { $0.key == key }?.value
    }

    /// The value of `key`, which must be present.
    public func string(_ key: String) throws(MalformedOutput) -> String {
        guard let value = self[key] else { throw failure("no '\(key)'") }
        return value
    }

    /// The unsigned decimal value of `key`.
    public func number(_ key: String) throws(MalformedOutput) -> UInt64 {
        guard let value = UInt64(try string(key)) else { throw failure("'\(key)' is not a number") }
        return value
    }

    /// The 0-or-1 value of `key`.
    public func flag(_ key: String) throws(MalformedOutput) -> Bool {
        switch try string(key) {
        case "0": return false
        case "1": return true
        default: throw failure("'\(key)' is not 0 or 1")
        }
    }

    /// The value of `key` as a `%p` hash: hex digits.
    public func pointer(_ key: String) throws(MalformedOutput) -> String {
        let value = try string(key)
        guard !value.isEmpty, value.allSatisfy(\.isHexDigit) else { throw failure("'\(key)' is not a hashed pointer") }
        return value
    }

    /// The value of `key` as bytes written in lowercase hex pairs.
    public func bytes(_ key: String) throws(MalformedOutput) -> [UInt8] {
        let digits = Array(try string(key).utf8)
        guard digits.count.isMultiple(of: 2) else { throw failure("'\(key)' has an odd number of hex digits") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else {
                throw failure("'\(key)' is not lowercase hex")
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    /// An error about this line.
    public func failure(_ reason: String) -> MalformedOutput {
        MalformedOutput(source: Self.source, reason: reason, text: line)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
