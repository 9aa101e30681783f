import ShadowKit
import Synchronization
import SystemPackage

/// A ``ControlChannel`` that answers from a script and records the lines.
final class FakeChannel: ControlChannel {
    private let lines = Mutex<[String]>([])
    private let answer: @Sendable (String) -> Result<String, Errno>

    /// Answers every command with `reply`.
    convenience init(reply: String) {
        self.init { _ in .success(reply) }
    }

    /// Answers each command line (newline dropped) with `answer`.
    init(_ answer: @escaping @Sendable (String) -> Result<String, Errno>) {
        self.answer = answer
    }

    /// The lines written, as written.
    var written: [String] {
        lines.withLock { $0 }
    }

    func exchange(_ line: String) throws(Errno) -> String {
        lines.withLock { $0.append(line) }
        return try answer(String(line.dropLast())).get()
    }
}
