/// Kernel log records, with the questions tests ask of them.
public struct KernelLog: Sendable, Equatable {
    /// The records, oldest first.
    public var records: [KernelLogRecord]
    /// Records overwritten before they could be read (at least this many):
    /// the log is incomplete when not 0.
    public var lostRecords: Int

    /// Creates a log of `records`.
    public init(records: [KernelLogRecord], lostRecords: Int = 0) {
        self.records = records
        self.lostRecords = lostRecords
    }

    /// The messages, oldest first.
    public var messages: [String] { records.map(\.message) }

    /// The records whose message contains `text`.
    public func lines(matching text: String) -> [KernelLogRecord] {
        records.filter { $0.message.contains(text) }
    }

    /// Every record that matches one of `patterns`, with the first pattern
    /// it matches.
    public func violations(
        of patterns: [ForbiddenPattern] = ForbiddenPattern.standard
    ) -> [KernelLogViolation] {
        records.compactMap { record in
            patterns.first { $0.matches(record.message) }.map { KernelLogViolation(record: record, pattern: $0) }
        }
    }

    /// Throws unless the log is complete and matches none of `patterns`.
    public func assertClean(
        of patterns: [ForbiddenPattern] = ForbiddenPattern.standard
    ) throws(UncleanKernelLog) {
        let violations = violations(of: patterns)
        if !violations.isEmpty || lostRecords > 0 {
            throw UncleanKernelLog(violations: violations, lostRecords: lostRecords)
        }
    }
}

/// A kernel log record that matches a ``ForbiddenPattern``.
public struct KernelLogViolation: Sendable, Equatable, CustomStringConvertible {
    /// The record.
    public var record: KernelLogRecord
    /// The pattern it matches.
    public var pattern: ForbiddenPattern

    public var description: String { "'\(pattern)' in: \(record.message)" }
}

/// A kernel log that is not clean.
public struct UncleanKernelLog: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending records.
    public var violations: [KernelLogViolation]
    /// Records lost before they could be checked.
    public var lostRecords: Int

    public var description: String {
        var lines = ["kernel log is not clean:"]
        lines += violations.map { "  \($0)" }
        if lostRecords > 0 { lines.append("  \(lostRecords) records lost before they could be read") }
        return lines.joined(separator: "\n")
    }
}
