/// Waiting for a quiet machine before the first timed run.
///
/// The first runs after boot share the CPUs with what the boot left
/// running, and an emulated machine's host has spells of load of its own.
/// One benchmark's first runs read their repetitions 62% to 104% apart,
/// where the same runs read 4% to 46% apart in others, and its first
/// target missed by three times for it. So before the first timed run the
/// benchmark times ``probe`` (arithmetic alone, on every CPU) again and
/// again, until two measurements in a row are each steady and agree with
/// each other, or ``maxWait`` has passed; then it goes on either way, and
/// says which. (A bound on the tries would not do: a try took 0.6 s in one
/// boot and 5 s in another, where the host kept a vCPU from running.)
public struct BenchQuiet: Sendable, Equatable {
    /// The run timed until the machine is quiet.
    public var probe: BenchRun
    /// How long it is timed again and again at most: the last try starts
    /// before this has passed.
    public var maxWait: Duration
    /// How far apart the repetitions of one measurement, and the medians
    /// of two in a row, may be: a share of the smaller.
    public var tolerance: Double

    /// Creates a wait for a quiet machine.
    public init(probe: BenchRun, maxWait: Duration, tolerance: Double) {
        self.probe = probe
        self.maxWait = maxWait
        self.tolerance = tolerance
    }

    /// Whether `current`, measured right after `previous`, shows a quiet
    /// machine: both steady, their medians within ``tolerance``.
    public func isQuiet(_ current: BenchMeasurement, after previous: BenchMeasurement?) -> Bool {
        guard let previous, current.spread <= tolerance, previous.spread <= tolerance else { return false }
        let now = current.medianNanoseconds, before = previous.medianNanoseconds
        guard now > 0, before > 0 else { return false }
        return abs(now - before) <= tolerance * min(now, before)
    }
}

/// What waiting for a quiet machine came to.
public struct BenchQuietOutcome: Sendable, Equatable {
    /// Times the probe was timed.
    public var tries: Int
    /// Whether the last two agreed; false when ``BenchQuiet/maxWait``
    /// passed first.
    public var quiet: Bool

    /// Creates an outcome.
    public init(tries: Int, quiet: Bool) {
        self.tries = tries
        self.quiet = quiet
    }
}
