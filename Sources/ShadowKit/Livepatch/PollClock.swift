#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A monotonic clock and a way to sleep: what a polling wait needs.
///
/// ``system`` is the real one; host tests pass a clock whose `sleep`
/// advances `now`, so a 60-second timeout takes no time.
public struct PollClock: Sendable {
    /// The time since some fixed point in the past; never goes back.
    public var now: @Sendable () -> Duration
    /// Sleeps the calling thread.
    public var sleep: @Sendable (Duration) -> Void

    /// Creates a clock from its two functions.
    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// `CLOCK_MONOTONIC` and `nanosleep()`.
    public static let system = PollClock(now: monotonicNow, sleep: ModuleLoader.sleep)

    @Sendable private static func monotonicNow() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
}

extension Duration {
    /// `3 s`: whole seconds, rounded down, for messages.
    var wholeSeconds: String {
        "\(components.seconds) s"
    }
}

/// `text` without leading and trailing spaces and newlines.
func trimmed(_ text: some StringProtocol) -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" }
    return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
}
