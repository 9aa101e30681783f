import ShadowKit
import Synchronization
import SystemPackage
import Testing

@Suite("waiting for a quiet machine")
struct BenchQuietTests {
    static let probe = BenchRun(.spin, .klpsv, live: 1000, ops: 100, reps: 3, threads: 2, milliseconds: 100)
    static let quiet = BenchQuiet(probe: probe, maxWait: .seconds(5), tolerance: 0.2)

    /// A measurement of the probe with these repetitions, in nanoseconds.
    static func measured(_ nanoseconds: [UInt64]) -> BenchMeasurement {
        BenchMeasurement(run: probe, picoseconds: nanoseconds.map { $0 * 1000 }.sorted())
    }

    /// The control file's line for `nanoseconds`, sorted.
    static func line(_ nanoseconds: [UInt64]) -> String {
        let ps = nanoseconds.map { $0 * 1000 }.sorted()
        return probe.command + " median_ps=\(ps[ps.count / 2]) min_ps=\(ps[0]) max_ps=\(ps[ps.count - 1]) ps="
            + ps.map(String.init).joined(separator: ",") + "\n"
    }

    @Test func twoSteadyRunsThatAgreeAreQuiet() {
        let quiet = Self.quiet
        #expect(quiet.isQuiet(Self.measured([100, 105, 110]), after: Self.measured([95, 100, 110])))
    }

    @Test("a first run, an unsteady one or two that disagree are not quiet", arguments: [
        (nil, [100, 100, 100]),
        ([100, 100, 100], [100, 150, 200]),
        ([100, 150, 200], [100, 100, 100]),
        ([100, 100, 100], [125, 125, 125]),
        ([125, 125, 125], [100, 100, 100]),
    ] as [([UInt64]?, [UInt64])])
    func notQuiet(_ previous: [UInt64]?, _ current: [UInt64]) {
        #expect(!Self.quiet.isQuiet(Self.measured(current), after: previous.map(Self.measured)))
    }

    @Test func waitsUntilTwoRunsInARowAgree() throws {
        let replies = Mutex([[100, 300, 200], [100, 100, 100], [200, 200, 200], [190, 200, 210], [1, 1, 1]] as [[UInt64]])
        let channel = FakeChannel { _ in .success(Self.line(replies.withLock { $0.removeFirst() })) }
        let bench = KlpsvBench(debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false)) { _ in channel }
        var attempts: [Int] = []
        let outcome = try bench.waitForQuiet(Self.quiet) { attempts.append($0) }
        #expect(outcome == BenchQuietOutcome(tries: 4, quiet: true))
        #expect(attempts == [1, 2, 3, 4])
        #expect(channel.written == Array(repeating: Self.probe.command + "\n", count: 4))
    }

    @Test func givesUpOnceTheWaitIsOver() throws {
        let time = FakeClock()
        let clock = time.clock
        let count = Mutex(0)
        let channel = FakeChannel { _ in
            // A second a try, each steady, each far slower than the one before.
            clock.sleep(.seconds(1))
            let n = count.withLock { $0 += 1; return $0 }
            let ns = UInt64(100 * n * n)
            return .success(Self.line([ns, ns, ns]))
        }
        let bench = KlpsvBench(debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false), clock: clock) { _ in channel }
        #expect(try bench.waitForQuiet(Self.quiet) == BenchQuietOutcome(tries: 5, quiet: false))
        #expect(channel.written.count == 5)
    }

    @Test func aRefusedRunEndsTheWait() {
        let channel = FakeChannel { _ in .failure(.resourceBusy) }
        let bench = KlpsvBench(debugfs: KlpsvDebugfs(root: "/dbg", verifiesMount: false)) { _ in channel }
        #expect(throws: BenchError.self) { try bench.waitForQuiet(Self.quiet) }
        #expect(channel.written.count == 1)
    }

    @Test func theFullPlanWaitsAndTheSmokeRunDoesNot() throws {
        let quiet = try #require(BenchPlan.full.quiet)
        #expect(quiet.probe.workload == .spin && quiet.probe.threads == 2 && quiet.probe.milliseconds > 0)
        #expect(BenchPlan.smoke.quiet == nil)
    }
}
