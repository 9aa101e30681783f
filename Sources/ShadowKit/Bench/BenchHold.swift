/// A memory measurement of `klpsv_bench.ko`: a store filled with shadows
/// that it keeps until released, while the system's memory counters are
/// read.
///
/// `hold IMPL live=N ids=N churn=N` fills `ids` shadow ids with `live`
/// shadows of ``dataBytes`` bytes each, then does `churn` alloc + free
/// pairs on new objects of the first id, waits for the deferred work, and
/// keeps them; `release IMPL` frees every held id with one `free_all` each
/// and returns at once.
public struct BenchHold: Sendable, Equatable, Hashable, Codable {
    /// The data bytes of each shadow held.
    public static let dataBytes = 8
    /// The shadow id of the first id a hold fills; the `k`-th is this plus
    /// `k`.
    public static let firstID: UInt64 = 0x6b6c_7100

    /// Whose shadow store.
    public var store: BenchRun.Store
    /// Shadows held per id.
    public var live: Int
    /// Shadow ids, each holding `live` shadows.
    public var ids: Int
    /// alloc + free pairs done on the first id once it is full.
    public var churn: Int

    /// Creates a hold.
    public init(_ store: BenchRun.Store, live: Int, ids: Int = 1, churn: Int = 0) {
        self.store = store
        self.live = live
        self.ids = ids
        self.churn = churn
    }

    /// Shadows held in all.
    public var shadows: Int { live * ids }

    /// The shadow ids held, as klpsv's `stats` shows them.
    public var shadowIDs: [UInt64] { (0..<UInt64(max(ids, 0))).map { Self.firstID + $0 } }

    /// The line written to `klpsv_bench/ctl` to hold the shadows.
    public var command: String {
        "hold \(store.rawValue) live=\(live) ids=\(ids) churn=\(churn)"
    }

    /// The line written to `klpsv_bench/ctl` to free them.
    public var releaseCommand: String {
        "release \(store.rawValue)"
    }

    /// What it holds, for people: `1k live`, `1k live x 64 ids`,
    /// `1M live, after 1M alloc + free`.
    public var label: String {
        var text = BenchTarget.count(live) + " live"
        if ids > 1 { text += " x \(ids) ids" }
        if churn > 0 { text += ", after \(BenchTarget.count(churn)) alloc + free" }
        return text
    }

    /// The same hold on the other store.
    public func on(_ store: BenchRun.Store) -> BenchHold {
        var hold = self
        hold.store = store
        return hold
    }

    /// Checks the result line of ``command``: the command, then
    /// `shadows=N`.
    ///
    /// - Throws: ``MalformedOutput`` when it is not that line.
    public func checkHeld(_ text: String, source: String) throws(MalformedOutput) {
        let expected = "\(command) shadows=\(shadows)"
        guard trimmed(text) == expected else {
            throw MalformedOutput(source: source, reason: "expected '\(expected)'", text: text)
        }
    }

    /// Checks the result line of ``releaseCommand``: the command, then
    /// `shadows=N`.
    ///
    /// - Throws: ``MalformedOutput`` when it is not that line.
    public func checkReleased(_ text: String, source: String) throws(MalformedOutput) {
        let expected = "\(releaseCommand) shadows=\(shadows)"
        guard trimmed(text) == expected else {
            throw MalformedOutput(source: source, reason: "expected '\(expected)'", text: text)
        }
    }
}
