import Foundation
import ShadowKit
import Testing

/// `insmod` of a module in a child process, for a test that does something
/// else while the module's init runs (libkmod's context is the test's own).
final class BackgroundInsmod {
    /// How long the module's init may take before the test gives up on it.
    static let timeout: Duration = .seconds(60)
    private static let poll: Duration = .milliseconds(50)

    private let process = Process()
    private var status: Int32?

    /// Starts `insmod path parameters...`.
    init(_ path: String, parameters: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/sbin/insmod")
        process.arguments = [path] + parameters
        try process.run()
    }

    /// Waits, at most ``timeout``, for insmod to end, and returns its exit
    /// status, or -1 when it is still running.
    @discardableResult
    func wait() -> Int32 {
        if let status { return status }
        let clock = ContinuousClock()
        let deadline = clock.now + Self.timeout
        while process.isRunning {
            guard clock.now < deadline else { return -1 }
            Thread.sleep(forTimeInterval: 0.05)
        }
        status = process.terminationStatus
        return process.terminationStatus
    }
}

/// Waits, at most `timeout`, until the kernel log holds a line containing
/// `text`; fails the test when it does not.
func waitForLogLine(_ text: String, cursor: KernelLogCursor, timeout: Duration = .seconds(30)) throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while try cursor.read().lines(matching: text).isEmpty {
        guard clock.now < deadline else {
            Issue.record("no kernel log line containing '\(text)' within \(timeout)")
            return
        }
        Thread.sleep(forTimeInterval: 0.05)
    }
}
