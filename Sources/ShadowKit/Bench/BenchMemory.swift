/// What a ``BenchHold`` measured: the memory the system's allocators had
/// handed out before the shadows were made, while they were held, and one
/// second after they were freed.
public struct BenchMemory: Sendable, Equatable {
    /// The hold.
    public var hold: BenchHold
    /// Before the hold.
    public var baseline: MemInfo
    /// While the shadows were held, after the deferred work settled.
    public var held: MemInfo
    /// ``KlpsvBench/releaseTime`` after their release.
    public var after: MemInfo
    /// klpsv's own count of what the held ids hold, summed over them, read
    /// off its `stats` while they were held; `nil` for the kernel's store.
    public var counted: KlpsvStats.Memory?

    /// Creates a measurement.
    public init(hold: BenchHold, baseline: MemInfo, held: MemInfo, after: MemInfo,
                counted: KlpsvStats.Memory? = nil) {
        self.hold = hold
        self.baseline = baseline
        self.held = held
        self.after = after
        self.counted = counted
    }

    /// The bytes the held shadows took: used while held minus used before.
    public var heldBytes: Double { Double(held.used) - Double(baseline.used) }

    /// The bytes still taken one second after the release: used then minus
    /// used before the hold.
    public var keptBytes: Double { Double(after.used) - Double(baseline.used) }

    /// The bytes a shadow took, all in: ``heldBytes`` over the shadows; NaN
    /// when nothing was seen held (a broken measurement fails its target).
    public var bytesPerShadow: Double {
        heldBytes > 0 && hold.shadows > 0 ? heldBytes / Double(hold.shadows) : .nan
    }

    /// The bytes a shadow took beyond its data: ``bytesPerShadow`` minus
    /// ``BenchHold/dataBytes``.
    public var beyondDataPerShadow: Double { bytesPerShadow - Double(BenchHold.dataBytes) }

    /// The share of ``heldBytes`` not given back one second after the
    /// release: ``keptBytes`` over ``heldBytes``; NaN when nothing was
    /// seen held.
    public var keptFraction: Double { heldBytes > 0 ? keptBytes / heldBytes : .nan }

    /// `bytes` of klpsv's count, per shadow held.
    public func perShadow(_ bytes: UInt64) -> Double {
        hold.shadows > 0 ? Double(bytes) / Double(hold.shadows) : .nan
    }
}
