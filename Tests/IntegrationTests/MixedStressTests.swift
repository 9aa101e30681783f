import Foundation
import ShadowKit
import Testing

extension InVM {
    /// Issue 12 §3: every kind of shadow use and every kind of livepatch
    /// transition at the same time, for a minute.
    @Suite("mixed stress")
    struct MixedStressTests {
        /// The stress id: private to the run, declared by no virtual patch,
        /// so that no transition retires it or frees its shadows.
        static let id: UInt64 = 12
        /// Enough objects for the table to grow to thousands of slots
        /// between two free-alls.
        static let objects: UInt64 = 4096
        static let threads: UInt64 = 2
        /// Every how long the sampler reads the id's table size.
        static let samplePeriod: TimeInterval = 0.05

        /// How long the stress runs: `KLPSV_STRESS_SECONDS`, default 60.
        static func seconds() throws -> UInt64 {
            guard let text = ProcessInfo.processInfo.environment["KLPSV_STRESS_SECONDS"] else { return 60 }
            return try HookNumber.parse(text, as: "KLPSV_STRESS_SECONDS", in: HookLimits.stressSeconds)
        }

        @Test("readers, writers in process and atomic context, free-all, table rebuilds both ways and livepatch enable, replace, disable and reversals at once: no violation",
              .inKlpsvVM)
        func everythingAtOnce() throws {
            let seconds = try Self.seconds()
            let clock = ContinuousClock()
            let started = clock.now
            try Fixture.runWithPatches { session, patches in
                // The holding task sleeps in the old klpsv_test_hold_sleep()
                // for the whole run: an enable of a patch that redirects it
                // cannot finish, so disabling it meanwhile reverses it. (No
                // command can be sent while the stress holds klpsv_test.)
                try session.hooks.hold()
                let stress = BackgroundStress(hooks: session.hooks, id: Self.id, seconds: seconds,
                                              threads: Self.threads, objects: Self.objects)
                let sampler = SlotSampler(debugfs: session.debugfs, id: Self.id, period: Self.samplePeriod)
                var cycler = TransitionCycler(patches: patches)
                var concurrentCycles = 0
                do {
                    repeat {
                        try cycler.cycle()
                        try session.pollLog()
                        if !stress.isDone {
                            concurrentCycles += 1
                            stress.cycleCompleted()
                        }
                    } while !stress.isDone
                } catch {
                    stress.wait()
                    sampler.stop()
                    throw error
                }
                let outcome = stress.wait()
                let slots = sampler.stop()
                try session.hooks.release()
                let runs = try #require(try outcome?.get(), "the stress did not end within \(BackgroundStress.grace) of its time")
                #expect(runs.allSatisfy { $0.ok }, "every run balanced on its own")
                let result = StressResult(merging: runs)

                let counts = cycler.counts
                let wall = clock.now - started
                print("stress: \(result.seconds) s (\(runs.count) runs) on \(result.threads) threads over \(Self.objects) objects: "
                      + "\(result.gets) gets (\(result.hits) hits), "
                      + "\(result.allocs) get-or-allocs (\(result.failedAllocs) NULL), "
                      + "\(result.atomicAllocs) atomic get-or-allocs (\(result.failedAtomicAllocs) NULL), "
                      + "\(result.frees) frees, \(result.atomicFrees) atomic frees, \(result.freeAlls) free-alls, "
                      + "\(result.ctorCalls) ctors, \(result.dtorCalls) dtors, "
                      + "table \(slots.smallest)...\(slots.largest) slots (\(slots.grew) grows, \(slots.shrank) shrinks seen), "
                      + "\(counts.total) transitions (\(counts.enables) enables, \(counts.replaces) replaces, "
                      + "\(counts.disables) disables, \(counts.reversals) reversals), "
                      + "\(result.errors) violations; wall \(wall.components.seconds) s")

                #expect(result.ok)
                #expect(result.errors == 0, "a get returned another object's shadow, or a ctor/dtor ran wrongly")
                #expect(result.ctorCalls == result.dtorCallsDuringRun + result.live, "ctors == dtors + live")
                #expect(result.ctorCalls == result.dtorCalls, "each shadow destroyed exactly once")
                // A GFP_KERNEL get-or-alloc waits for a free-all to end
                // rather than fail: its NULL is a violation (counted in
                // errors too). An atomic one cannot wait, and may fail while
                // a free-all empties the table (no rebuild meanwhile,
                // inserts fail at 15/16): counted, not a violation. That it
                // left no half-made shadow is what the balance above checks.
                #expect(result.failedAllocs == 0, "a GFP_KERNEL get-or-alloc returned NULL")
                #expect(result.seconds >= seconds && result.threads == Self.threads)
                for (kind, count) in [("gets", result.hits), ("get-or-allocs", result.allocs),
                                      ("atomic get-or-allocs", result.atomicAllocs), ("frees", result.frees),
                                      ("atomic frees", result.atomicFrees), ("free-alls", result.freeAlls)] {
                    #expect(count > 0, "no \(kind)")
                }
                let stats = try session.stats()[id: Self.id]
                #expect(stats.live == 0)
                #expect(stats.allocs == result.ctorCalls, "a shadow was created twice, or without its ctor")
                #expect(stats.frees == result.dtorCalls, "a shadow was freed twice, or without its dtor")

                #expect(slots.grew > 0 && slots.shrank > 0, "the table was rebuilt both ways: \(slots)")
                #expect(concurrentCycles > 0, "a whole transition cycle ran during the stress")
                #expect(counts.enables > 0 && counts.replaces > 0 && counts.disables > 0 && counts.reversals > 0)
            }
        }
    }
}

/// `stress` on a thread of its own, since the command blocks for its
/// whole run. When no whole transition cycle completed during the first
/// run (a debug kernel on a busy host loads a module in tens of seconds),
/// shorter runs follow it, back to back, until one has or ``maxExtra``
/// more seconds have passed.
final class BackgroundStress: @unchecked Sendable {
    /// How long past its time the stress may take to end.
    static let grace: Duration = .seconds(60)
    /// The length of each further run, in seconds.
    static let extraRun: UInt64 = 20
    /// The most seconds of further runs.
    static let maxExtra: UInt64 = 120

    private let lock = NSLock()
    private var outcome: Result<[StressResult], any Error>?
    private var cycled = false
    private let deadline: ContinuousClock.Instant

    init(hooks: TestHooks, id: UInt64, seconds: UInt64, threads: UInt64, objects: UInt64) {
        deadline = .now + .seconds(seconds + Self.maxExtra) + Self.grace
        let thread = Thread { [self] in
            let outcome = Result {
                var runs = [try hooks.stress(id: id, seconds: seconds, threads: threads, objects: objects)]
                var extra: UInt64 = 0
                while !lock.withLock({ cycled }) && extra < Self.maxExtra {
                    runs.append(try hooks.stress(id: id, seconds: Self.extraRun, threads: threads, objects: objects))
                    extra += Self.extraRun
                }
                return runs
            }
            lock.withLock { self.outcome = outcome }
        }
        thread.start()
    }

    /// Tells the stress that a whole transition cycle ran during it: no
    /// further run is needed.
    func cycleCompleted() {
        lock.withLock { cycled = true }
    }

    /// True once the command returned.
    var isDone: Bool {
        lock.withLock { outcome != nil }
    }

    /// Waits until the command returned, at most until its time and
    /// ``grace`` are over, and returns its outcome; nil when it has not.
    @discardableResult
    func wait() -> Result<[StressResult], any Error>? {
        while ContinuousClock.now < deadline {
            if let outcome = lock.withLock({ outcome }) { return outcome }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return lock.withLock { outcome }
    }
}

/// Reads the slots of an id's table on a thread of its own, counting the
/// rebuilds it sees: a grow is a sample bigger than the one before, a
/// shrink one smaller.
final class SlotSampler: @unchecked Sendable {
    struct Summary: CustomStringConvertible {
        var samples = 0
        var smallest: UInt64 = .max
        var largest: UInt64 = 0
        var grew = 0
        var shrank = 0
        var last: UInt64?

        mutating func add(_ slots: UInt64) {
            samples += 1
            smallest = min(smallest, slots)
            largest = max(largest, slots)
            if let last, slots > last { grew += 1 }
            if let last, slots < last { shrank += 1 }
            last = slots
        }

        var description: String {
            "\(samples) samples, \(smallest)...\(largest) slots, \(grew) grows, \(shrank) shrinks"
        }
    }

    private let lock = NSLock()
    private var summary = Summary()
    private var stopped = false
    private var finished = false

    init(debugfs: KlpsvDebugfs, id: UInt64, period: TimeInterval) {
        let thread = Thread { [self] in
            while !lock.withLock({ stopped }) {
                if let slots = try? debugfs.stats().slots(of: id) {
                    lock.withLock { summary.add(slots) }
                }
                Thread.sleep(forTimeInterval: period)
            }
            lock.withLock { finished = true }
        }
        thread.start()
    }

    /// Stops sampling, waits (bounded) for the thread, and returns what
    /// it saw.
    @discardableResult
    func stop() -> Summary {
        lock.withLock { stopped = true }
        let deadline = ContinuousClock.now + .seconds(10)
        while !lock.withLock({ finished }) && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        return lock.withLock { summary }
    }
}

/// Walks the virtual patches through every kind of transition, one cycle
/// at a time: enable, cumulative replace, a reversed enable or a reversed
/// replace (alternately), disable. Each cycle ends with no patch loaded.
/// The reversals need the holding task asleep in the unpatched
/// klpsv_test_hold_sleep(), which patches loaded with `hold` redirect.
struct TransitionCycler {
    struct Counts {
        var enables = 0
        var replaces = 0
        var disables = 0
        var reversals = 0
        var total: Int { enables + replaces + disables + reversals }
    }

    let patches: VirtualPatches
    private(set) var counts = Counts()
    private var cycles = 0

    init(patches: VirtualPatches) {
        self.patches = patches
    }

    mutating func cycle() throws {
        // States 1 to 3, some with global shadows the transitions create
        // and free; never the stress id.
        #expect(try patches.load(1, states: "1s,2") == nil)
        counts.enables += 1
        #expect(try patches.load(2, states: "1s,3s", replace: true) == nil)
        counts.replaces += 1
        try patches.unload(1)

        let replace = cycles % 2 == 1
        #expect(try patches.load(3, states: replace ? "3s" : "2", replace: replace, hold: true, wait: false) == nil)
        #expect(try patches.inTransition(3), "the holding task keeps the transition open")
        try patches.setEnabled(3, false, wait: false)
        try patches.waitForTransition(3)
        counts.reversals += 1
        try patches.unload(3)

        try patches.setEnabled(2, false)
        counts.disables += 1
        try patches.unload(2)
        cycles += 1
    }
}

extension StressResult {
    /// The sums of back-to-back runs: `ok` when each was.
    init(merging runs: [StressResult]) {
        func sum(_ field: (StressResult) -> UInt64) -> UInt64 { runs.reduce(0) { $0 + field($1) } }
        self.init(ok: runs.allSatisfy(\.ok), seconds: sum(\.seconds), threads: runs.first?.threads ?? 0,
                  gets: sum(\.gets), hits: sum(\.hits), allocs: sum(\.allocs), atomicAllocs: sum(\.atomicAllocs),
                  failedAllocs: sum(\.failedAllocs), failedAtomicAllocs: sum(\.failedAtomicAllocs),
                  frees: sum(\.frees), atomicFrees: sum(\.atomicFrees), freeAlls: sum(\.freeAlls),
                  ctorCalls: sum(\.ctorCalls), dtorCallsDuringRun: sum(\.dtorCallsDuringRun), live: sum(\.live),
                  dtorCalls: sum(\.dtorCalls), errors: sum(\.errors))
    }
}
