/// One run of `klpsv_bench.ko`: a workload timed on one store.
public struct BenchRun: Sendable, Equatable, Hashable, Codable {
    /// What is timed.
    public enum Workload: String, Sendable, CaseIterable, Codable {
        /// `get` of live shadows, in random order.
        case getHit = "get_hit"
        /// `get` of objects that have no shadow.
        case getMiss = "get_miss"
        /// `alloc` of a new shadow, then its `free`.
        case allocFree = "alloc_free"
        /// `free_all(id)` of `ops` shadows among `live` others; one call is
        /// one operation.
        case freeAll = "free_all"
        /// Arithmetic on registers, no store: its throughput on two threads
        /// over one is what the machine gives two CPUs that share nothing,
        /// the ceiling of every scaling figure of the same boot. The store
        /// only labels it.
        case spin
    }

    /// Whose shadow store.
    public enum Store: String, Sendable, CaseIterable, Codable {
        /// klpsv.ko's `klpsv_shadow_*`.
        case klpsv
        /// The kernel's own `klp_shadow_*`.
        case kernel
    }

    public var workload: Workload
    public var store: Store
    /// Shadows alive while timing.
    public var live: Int
    /// Operations per repetition (per thread); for `freeAll`, the shadows
    /// each call frees.
    public var ops: Int
    /// Timed repetitions, after one untimed warm-up.
    public var reps: Int
    /// Threads, each doing `ops` at once.
    public var threads: Int
    /// When not 0, each repetition lasts this many milliseconds instead of
    /// `ops` operations: every thread goes round its `ops` accesses until
    /// then, and the operations done are counted. How throughput is compared
    /// between thread counts (`getHit`, `allocFree` and `spin` only).
    public var milliseconds: Int
    /// The seed of the random access order.
    public var seed: UInt64

    /// Creates a run.
    public init(_ workload: Workload, _ store: Store, live: Int, ops: Int, reps: Int = 5, threads: Int = 1,
                milliseconds: Int = 0, seed: UInt64 = 1) {
        self.workload = workload
        self.store = store
        self.live = live
        self.ops = ops
        self.reps = reps
        self.threads = threads
        self.milliseconds = milliseconds
        self.seed = seed
    }

    /// The line written to `klpsv_bench/ctl`.
    public var command: String {
        "\(workload.rawValue) \(store.rawValue) live=\(live) ops=\(ops) reps=\(reps) threads=\(threads) "
            + "ms=\(milliseconds) seed=\(seed)"
    }

    /// The same run on `threads` threads.
    public func on(threads: Int) -> BenchRun {
        var run = self
        run.threads = threads
        return run
    }

    /// The same run on the other store.
    public func on(_ store: Store) -> BenchRun {
        var run = self
        run.store = store
        return run
    }
}

/// What `klpsv_bench.ko` measured for one run.
public struct BenchMeasurement: Sendable, Equatable, Codable {
    /// The run.
    public var run: BenchRun
    /// Picoseconds per operation of each repetition, sorted.
    public var picoseconds: [UInt64]

    /// Creates a measurement.
    public init(run: BenchRun, picoseconds: [UInt64]) {
        self.run = run
        self.picoseconds = picoseconds.sorted()
    }

    /// The median time per operation, in nanoseconds.
    public var medianNanoseconds: Double { Double(picoseconds[picoseconds.count / 2]) / 1000 }
    /// The fastest repetition's time per operation, in nanoseconds.
    public var minNanoseconds: Double { Double(picoseconds.first ?? 0) / 1000 }
    /// The slowest repetition's time per operation, in nanoseconds.
    public var maxNanoseconds: Double { Double(picoseconds.last ?? 0) / 1000 }
    /// (max - min) / median: how much the repetitions disagree.
    public var spread: Double {
        medianNanoseconds > 0 ? (maxNanoseconds - minNanoseconds) / medianNanoseconds : 0
    }
    /// Operations per second, all threads together, at the median.
    public var throughput: Double { medianNanoseconds > 0 ? 1e9 / medianNanoseconds : 0 }

    /// Parses the result line of `klpsv_bench/ctl` for `run`.
    ///
    /// - Throws: ``MalformedOutput`` when it is not the result of `run`.
    public init(parsing text: String, of run: BenchRun, source: String) throws(MalformedOutput) {
        let line = trimmed(text)
        guard line.hasPrefix(run.command + " ") else {
            throw MalformedOutput(source: source, reason: "not the result of '\(run.command)'", text: text)
        }
        var fields: [String: String] = [:]
        for word in line.dropFirst(run.command.count + 1).split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw MalformedOutput(source: source, reason: "expected KEY=VALUE", text: text) }
            fields[String(parts[0])] = String(parts[1])
        }
        let values = (fields["ps"] ?? "").split(separator: ",").compactMap { UInt64($0) }
        guard values.count == run.reps, values == values.sorted(),
              fields["median_ps"] == String(values[values.count / 2]) else {
            throw MalformedOutput(source: source, reason: "expected \(run.reps) sorted times and their median",
                                  text: text)
        }
        self.init(run: run, picoseconds: values)
    }
}
