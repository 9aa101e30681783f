import SystemPackage

/// A place in the kernel log, taken before a test: later reads give the
/// records logged since.
///
/// ```swift
/// let cursor = try KernelLogCursor()
/// // ... load modules, run the test ...
/// try cursor.read().assertClean()
/// ```
public final class KernelLogCursor {
    private let reader: any KernelLogReader
    private var records: [KernelLogRecord] = []
    private var lostRecords = 0
    private var lastSequence: UInt64?
    private var overrun = false

    /// Takes a cursor at the end of the log of `source`.
    public init(source: any KernelLogSource = DevKmsg()) throws(Errno) {
        reader = try source.open()
        try reader.seekToEnd()
    }

    /// Reads what was logged since the last read, and returns everything
    /// logged since the cursor was taken. Reading now and then during a
    /// noisy test keeps records from being overwritten before they are seen.
    @discardableResult
    public func read() throws(Errno) -> KernelLog {
        while true {
            let text: String?
            do {
                text = try reader.nextRecord()
            } catch where error == .brokenPipe {
                overrun = true
                continue
            }
            guard let text else { break }
            guard let record = try? KernelLogRecord(parsing: text) else {
                records.append(KernelLogRecord(level: 0, message: text))
                continue
            }
            if let last = lastSequence, record.sequence > last + 1 {
                lostRecords += Int(record.sequence - last - 1)
            } else if overrun {
                lostRecords += 1
            }
            overrun = false
            lastSequence = record.sequence
            records.append(record)
        }
        if overrun { lostRecords += 1 }
        overrun = false
        return KernelLog(records: records, lostRecords: lostRecords)
    }
}
