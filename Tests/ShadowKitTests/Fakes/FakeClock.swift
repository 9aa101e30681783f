import ShadowKit
import Synchronization

/// A ``PollClock`` whose `sleep` advances its time at once and then runs
/// the scheduled events that fall due: a transition finishing after three
/// seconds takes no time in a test.
final class FakeClock: Sendable {
    private struct State {
        var now: Duration = .zero
        var events: [(at: Duration, action: @Sendable () -> Void)] = []
        var sleeps = 0
    }

    private let state = Mutex(State())

    /// Runs `action` once the clock reaches `time`.
    func at(_ time: Duration, _ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.events.append((time, action)) }
    }

    /// How many times it was slept on.
    var sleeps: Int { state.withLock { $0.sleeps } }

    var clock: PollClock {
        PollClock(now: { [self] in state.withLock { $0.now } }, sleep: { [self] duration in
            let due: [@Sendable () -> Void] = state.withLock { state in
                state.now += duration
                state.sleeps += 1
                let now = state.now
                let due = state.events.filter { $0.at <= now }.map(\.action)
                state.events.removeAll { $0.at <= now }
                return due
            }
            due.forEach { $0() }
        })
    }
}
