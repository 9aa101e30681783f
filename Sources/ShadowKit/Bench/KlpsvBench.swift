import SystemPackage

/// `klpsv_bench.ko`'s `ctl` file: timing runs and memory holds are written
/// to it, and it answers with what it did. Memory is read from the
/// system's counters (``MemInfo``) around a hold, and from klpsv's `stats`.
public struct KlpsvBench: Sendable {
    /// The module.
    public static let module = KlpsvModule.bench
    /// How long held shadows are left before their memory is read: klpsv
    /// gives freed memory back after at most a second and a grace period.
    /// Also waited before the memory is read that a hold starts from, so
    /// that what an earlier release frees is gone by then.
    public static let settleTime: Duration = .seconds(3)
    /// How long after a release the memory is read again.
    public static let releaseTime: Duration = .seconds(1)

    /// The module's debugfs directory.
    public let directory: String
    private let debugfs: KlpsvDebugfs
    private let files: any FileAccess
    private let clock: PollClock
    private let channel: @Sendable (String) -> any ControlChannel

    /// Creates a client of the benchmark under debugfs `debugfs`, reading
    /// `/proc` through `files` and waiting on `clock`.
    public init(debugfs: KlpsvDebugfs, files: any FileAccess = LocalFileAccess(), clock: PollClock = .system,
                channel: @escaping @Sendable (String) -> any ControlChannel = { ControlFile(path: $0) }) {
        directory = debugfs.root + "/" + Self.module
        self.debugfs = debugfs
        self.files = files
        self.clock = clock
        self.channel = channel
    }

    /// The `ctl` file.
    public var controlPath: String { directory + "/ctl" }

    /// Runs `run` to the end (seconds to minutes) and returns what it measured.
    ///
    /// - Throws: ``BenchError`` or ``MalformedOutput``.
    public func measure(_ run: BenchRun) throws -> BenchMeasurement {
        try BenchMeasurement(parsing: exchange(run.command), of: run, source: controlPath)
    }

    /// Times `quiet.probe` until two measurements in a row show a quiet
    /// machine (``BenchQuiet/isQuiet(_:after:)``), starting no try once
    /// `quiet.maxWait` has passed on the bench's clock; `progress` is
    /// called before each try, with its number from 1.
    public func waitForQuiet(_ quiet: BenchQuiet, progress: (Int) -> Void = { _ in }) throws -> BenchQuietOutcome {
        let start = clock.now()
        var previous: BenchMeasurement?
        var tries = 0
        repeat {
            tries += 1
            progress(tries)
            let current = try measure(quiet.probe)
            if quiet.isQuiet(current, after: previous) { return BenchQuietOutcome(tries: tries, quiet: true) }
            previous = current
        } while clock.now() - start < quiet.maxWait
        return BenchQuietOutcome(tries: tries, quiet: false)
    }

    /// Fills the store with `hold`'s shadows and keeps them (seconds to a
    /// minute).
    ///
    /// - Throws: ``BenchError`` (`EBUSY`: shadows are held already) or
    ///   ``MalformedOutput``.
    public func hold(_ hold: BenchHold) throws {
        try hold.checkHeld(exchange(hold.command), source: controlPath)
    }

    /// Frees the shadows `hold` made, without waiting for them to be given
    /// back.
    ///
    /// - Throws: ``BenchError`` (`EINVAL`: nothing held on that store) or
    ///   ``MalformedOutput``.
    public func release(_ hold: BenchHold) throws {
        try hold.checkReleased(exchange(hold.releaseCommand), source: controlPath)
    }

    /// The system's memory counters, the per-CPU deltas folded in first.
    ///
    /// - Throws: ``BenchError`` (`EACCES`: not root) or ``MalformedOutput``.
    public func usedMemory() throws -> MemInfo {
        do {
            try files.write("1\n", to: MemInfo.refreshPath)
        } catch .invalidArgument {
            // Older kernels fold the counters, then report one that went
            // negative with EINVAL: folded all the same.
        } catch {
            throw BenchError(command: nil, path: MemInfo.refreshPath, errno: error)
        }
        let text: String
        do {
            text = try files.contents(of: MemInfo.path)
        } catch {
            throw BenchError(command: nil, path: MemInfo.path, errno: error)
        }
        return try MemInfo(parsing: text)
    }

    /// Measures the memory of `hold`: the system's used memory once what
    /// came before has settled, then with the shadows held and settled
    /// (with, for klpsv's store, its own count of the held ids), then
    /// ``releaseTime`` after their release (a few seconds, plus the hold).
    /// The shadows are released on every path once held.
    ///
    /// - Throws: ``BenchError``, ``DebugfsError`` or ``MalformedOutput``.
    public func measureMemory(_ hold: BenchHold) throws -> BenchMemory {
        clock.sleep(Self.settleTime)
        let baseline = try usedMemory()
        try self.hold(hold)
        let held: MemInfo
        var counted: KlpsvStats.Memory?
        do {
            clock.sleep(Self.settleTime)
            held = try usedMemory()
            if hold.store == .klpsv { counted = try count(hold) }
        } catch {
            try? release(hold)
            throw error
        }
        try release(hold)
        clock.sleep(Self.releaseTime)
        return BenchMemory(hold: hold, baseline: baseline, held: held, after: try usedMemory(), counted: counted)
    }

    /// klpsv's count of the memory of `hold`'s ids, summed.
    private func count(_ hold: BenchHold) throws -> KlpsvStats.Memory {
        let stats = try debugfs.stats()
        var sum = KlpsvStats.Memory.zero
        for id in hold.shadowIDs {
            guard let memory = stats.memory(of: id) else {
                throw MalformedOutput(source: "klpsv stats", reason: "no line for held id \(id)",
                                      text: stats.rows.map { "\($0.id)" }.joined(separator: " "))
            }
            sum = sum + memory
        }
        return sum
    }

    /// Writes `command` to `ctl` and returns the result line.
    private func exchange(_ command: String) throws(BenchError) -> String {
        do {
            return try channel(controlPath).exchange(command + "\n")
        } catch {
            throw BenchError(command: command, path: controlPath, errno: error)
        }
    }
}
