import ShadowKit

/// klpsv's counters as JSON.
struct CountersJSON: Encodable {
    var live, bytes, allocs, frees: UInt64

    init(_ counters: KlpsvStats.Counters) {
        live = counters.live
        bytes = counters.bytes
        allocs = counters.allocs
        frees = counters.frees
    }
}
