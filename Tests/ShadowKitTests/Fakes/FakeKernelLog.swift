import ShadowKit
import Synchronization
import SystemPackage

/// A kernel log in memory: records are appended, readers read them like
/// /dev/kmsg, each with its own position.
final class FakeKernelLog: KernelLogSource {
    private struct State {
        var records: [String] = []
        /// Index of the oldest record still kept (records before were overwritten).
        var first = 0
        var sequence: UInt64 = 100
    }

    private let state = Mutex(State())

    /// Logs `message` at `level`.
    func log(_ message: String, level: Int = 6) {
        state.withLock { state in
            state.records.append("\(level),\(state.sequence),\(state.sequence * 1000),-;\(message)\n")
            state.sequence += 1
        }
    }

    /// Forgets the oldest `count` records, as a full ring buffer does.
    func overwrite(_ count: Int) {
        state.withLock { $0.first += count }
    }

    func open() throws(Errno) -> any KernelLogReader {
        Reader(log: self, position: state.withLock { $0.first })
    }

    fileprivate func record(at position: Int) -> (text: String?, first: Int) {
        state.withLock { state in
            (position < state.records.count && position >= state.first ? state.records[position] : nil, state.first)
        }
    }

    fileprivate var end: Int {
        state.withLock { $0.records.count }
    }

    private final class Reader: KernelLogReader {
        let log: FakeKernelLog
        var position: Int

        init(log: FakeKernelLog, position: Int) {
            self.log = log
            self.position = position
        }

        func seekToEnd() throws(Errno) {
            position = log.end
        }

        func nextRecord() throws(Errno) -> String? {
            let (text, first) = log.record(at: position)
            if position < first {
                position = first
                throw Errno.brokenPipe
            }
            if text != nil { position += 1 }
            return text
        }
    }
}
