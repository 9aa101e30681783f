import Foundation
import ShadowKit
import SystemPackage
import Testing

/// The kernel's fault injection (`CONFIG_FAILSLAB`, `CONFIG_FAIL_PAGE_ALLOC`,
/// `CONFIG_FAULT_INJECTION_DEBUG_FS`) driven per task through
/// `/proc/thread-self/fail-nth`: writing N makes the Nth slab or page
/// allocation fault point the thread reaches fail, and no other; reading it
/// back gives what is left of N, 0 once the point was reached and failed.
enum FaultInjection {
    static let failslabDirectory = "/sys/kernel/debug/failslab"
    static let failPageAllocDirectory = "/sys/kernel/debug/fail_page_alloc"
    static let failNthPath = "/proc/thread-self/fail-nth"

    /// Most fault points one path may have before the test gives up: far
    /// beyond the few dozen a path has, so that a loop that never ends is
    /// a failure, not a hang.
    static let pointLimit = 1000

    /// The knobs set for the tests, and their values: sleeping allocations
    /// (every GFP_KERNEL one) are ignored by default, and fail_page_alloc
    /// ignores order 0 and highmem by default. The probability stays 0, so
    /// that only fail-nth fails anything. verbose=0, because verbose=2
    /// dumps a stack ("Call Trace:") per fault, which the kernel log check
    /// rightly forbids, and verbose=1 is ratelimited, so it could not be
    /// used to count faults either.
    /// A fault-injection knob and the value written to it.
    typealias Setting = (path: String, value: String)

    static let settings: [Setting] = [
        (failslabDirectory + "/ignore-gfp-wait", "N"),
        (failslabDirectory + "/verbose", "0"),
        (failPageAllocDirectory + "/ignore-gfp-wait", "N"),
        (failPageAllocDirectory + "/ignore-gfp-highmem", "N"),
        (failPageAllocDirectory + "/min-order", "0"),
        (failPageAllocDirectory + "/verbose", "0"),
    ]

    /// ``settings`` with `ignore-gfp-wait` Y: only allocations that may not
    /// sleep are counted, so fail-nth fails the nth of those, however many
    /// sleeping ones (a command's buffer, the stack depot's pages for it)
    /// come before.
    static let nonSleepingSettings: [Setting] = settings.map { setting in
        setting.path.hasSuffix("/ignore-gfp-wait") ? (setting.path, "Y") : setting
    }

    /// True when this kernel has fault injection through fail-nth.
    static var isAvailable: Bool {
        let files = LocalFileAccess()
        return (try? files.kind(of: failslabDirectory)) == .directory
            && (try? files.kind(of: failPageAllocDirectory)) == .directory
            && (try? files.kind(of: failNthPath)) != nil
    }

    /// Runs `body` with `settings` in force, then puts the earlier values
    /// back, also when `body` throws.
    @discardableResult
    static func withSettings<R>(_ settings: [Setting] = Self.settings, _ body: () throws -> R) throws -> R {
        let files = LocalFileAccess()
        var saved: [Setting] = []
        defer {
            for (path, value) in saved.reversed() {
                do {
                    try files.write(value + "\n", to: path)
                } catch {
                    Issue.record("cannot restore \(path) to \(value): \(error)")
                }
            }
        }
        for (path, value) in settings {
            let old = try files.contents(of: path).trimmingCharacters(in: .whitespacesAndNewlines)
            try files.write(value + "\n", to: path)
            saved.append((path, old))
        }
        return try body()
    }

    /// Writes `bytes` to `target` with one `write()`, failing the `nth`
    /// fault point the write reaches; `target` is opened beforehand, so
    /// that `open()`'s own allocations do not count.
    ///
    /// Synchronous from the first `write()` to fail-nth to the last, so
    /// that all of it runs on one thread (Swift concurrency may move a task
    /// to another thread at an `await`).
    ///
    /// - Returns: whether the `nth` point was reached (and failed), and
    ///   the errno of the write, nil when it wrote everything.
    static func write(_ bytes: [UInt8], to target: FileDescriptor, failing nth: Int) throws -> (reached: Bool, error: Errno?) {
        precondition(nth > 0)
        let failNth = try FileDescriptor.open(FilePath(failNthPath), .readWrite)
        return try failNth.closeAfter {
            try set(failNth, nth)
            var error: Errno?
            do {
                let written = try bytes.withUnsafeBytes { try target.write($0) }
                if written != bytes.count { error = .ioError }
            } catch let errno as Errno {
                error = errno
            }
            let left = try remaining(failNth)
            try set(failNth, 0)
            return (left == 0, error)
        }
    }

    private static func set(_ failNth: FileDescriptor, _ value: Int) throws {
        let text = Array("\(value)\n".utf8)
        let written = try text.withUnsafeBytes { try failNth.write(toAbsoluteOffset: 0, $0) }
        if written != text.count { throw Errno.ioError }
    }

    private static func remaining(_ failNth: FileDescriptor) throws -> Int {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = try buffer.withUnsafeMutableBytes { try failNth.read(fromAbsoluteOffset: 0, into: $0) }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Int(text) else { throw Errno.ioError }
        return value
    }

    /// What one attempt at a path did with its injected fault.
    enum Outcome {
        /// The fault was reached and the path failed cleanly.
        case failed
        /// The fault was reached, and something below klpsv absorbed it
        /// (kmemleak's and KASAN's own metadata allocations fall back or
        /// do without): the path succeeded.
        case absorbed
        /// The fault was not reached: the path succeeded with fewer points.
        case completed
    }

    /// The count of fault points of one path.
    struct Tally: CustomStringConvertible {
        let path: String
        var failed = 0
        var absorbed = 0
        var points: Int { failed + absorbed }

        var description: String {
            "fault injection: \(path): \(points) points (\(failed) failed cleanly, \(absorbed) absorbed below klpsv)"
        }
    }

    /// Drives `path`: calls `attempt(n)` for n = 1, 2, ..., each failing the
    /// nth fault point, until one completes without reaching its point;
    /// prints the tally and expects at least one point that made the path
    /// fail (none would mean the mechanism does not reach it).
    @discardableResult
    static func drive(_ path: String, _ attempt: (Int) throws -> Outcome) throws -> Tally {
        var tally = Tally(path: path)
        for nth in 1...pointLimit {
            switch try attempt(nth) {
            case .failed: tally.failed += 1
            case .absorbed: tally.absorbed += 1
            case .completed:
                print(tally)
                #expect(tally.failed >= 1, "\(path): no fault point made the path fail")
                return tally
            }
        }
        Issue.record("\(path): still reaching its fault point after \(pointLimit) points")
        return tally
    }

    /// Passes of ``drive(_:until:_:)`` at most.
    static let passLimit = 3

    /// Drives `path` as ``drive(_:_:)`` does, again, up to ``passLimit``
    /// times, until `covered()` says a point the test needs was failed;
    /// `reset()` undoes the completed attempt of a pass before the next.
    ///
    /// The nth point of one attempt is not always the nth of the next: the
    /// kernel allocates on its own now and then in the task (under KASAN,
    /// the stack depot takes a new page at moments no test controls), and
    /// that allocation takes a fault point and absorbs it, so one pass may
    /// step over the point of klpsv's own allocation. Every pass checks
    /// every attempt as one pass does; only the coverage is retried.
    static func drive(_ path: String, until covered: () -> Bool, reset: () throws -> Void = {},
                      _ attempt: (Int) throws -> Outcome) throws {
        for pass in 1...passLimit {
            if pass > 1 { try reset() }
            try drive(path, attempt)
            if covered() { return }
        }
    }
}

/// What a failed attempt must leave as it was: klpsv's debugfs files, the
/// livepatches the kernel knows, and klpsv_test's parent objects.
struct IntrospectionSnapshot: Equatable {
    /// A row of `stats` but for what deferred work changes on its own: the
    /// slots `used`, the memory of the table and what is `pending` (a
    /// second after a free, a work item rebuilds the table to give freed
    /// shadows back, whatever an attempt did since).
    struct StatsRow: Equatable {
        let id: UInt64
        let counters: KlpsvStats.Counters
        let lifetime: KlpsvStats.Lifetime?
        let slots: UInt64?
        let variables: UInt64

        init(_ row: KlpsvStats.Row) {
            id = row.id
            counters = row.counters
            lifetime = row.lifetime
            slots = row.slots
            variables = row.memory.variables
        }
    }

    let stats: [StatsRow]
    let total: KlpsvStats.Counters
    let shadows: String
    let states: String
    let patches: String
    let livepatches: [String]

    init(_ session: KlpsvSession) throws {
        let debugfs = session.debugfs
        let parsed = try KlpsvStats(parsing: debugfs.statsText())
        stats = parsed.rows.map(StatsRow.init)
        total = parsed.total
        shadows = try debugfs.shadowsText()
        let files = LocalFileAccess()
        states = try files.contents(of: debugfs.statesPath)
        patches = try files.contents(of: debugfs.patchesPath)
        livepatches = try Livepatch().patchNames()
    }

    /// True when this snapshot is `before`, but for rows of `stats` that a
    /// failed attempt may add: ids in `newIds` with no shadow ever. A
    /// registration creates the ids of its states before the livepatch
    /// core may fail, and ids are not removed before unload (idtable.c),
    /// so a failed registration may leave them, empty.
    func isUnchanged(from before: Self, butNewIds newIds: Set<UInt64>) -> Bool {
        let kept = stats.filter { !(newIds.contains($0.id) && $0.counters == .zero) }
        return kept == before.stats && total == before.total
            && shadows == before.shadows && states == before.states && patches == before.patches
            && livepatches == before.livepatches
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test where the kernel has fault injection, and always in
    /// the debug lane (`KLPSV_CHECKERS`), whose kernel must have it: there
    /// the test fails on its absence (``FaultInjection/requireAvailable()``).
    static var faultInjectable: Self {
        .enabled(if: FaultInjection.isAvailable || Kmemleak.isChecked,
                 "needs CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and CONFIG_FAULT_INJECTION_DEBUG_FS (the debug kernel); this kernel has no \(FaultInjection.failslabDirectory)")
    }
}

extension FaultInjection {
    /// Fails the test unless the kernel has fault injection: in the debug
    /// lane its absence is a broken kernel, not a reason to skip.
    static func requireAvailable() throws {
        try #require(isAvailable, "no fault injection on this kernel (\(failslabDirectory), \(failPageAllocDirectory), \(failNthPath))")
    }
}

/// One write of a klpsv_test command with a fault injected: the file is
/// opened first, the result read after.
struct InjectedCommand {
    /// The errno of the write, nil when it was taken.
    let error: Errno?
    /// Whether the injected point was reached.
    let reached: Bool
    /// The result line, when the write was taken.
    let result: String?

    init(_ command: HookCommand, session: KlpsvSession, failing nth: Int) throws {
        let fd = try FileDescriptor.open(FilePath(session.debugfs.controlPath), .readWrite)
        let outcome = try fd.closeAfter { () throws -> (Bool, Errno?, String?) in
            let (reached, error) = try FaultInjection.write(Array((command.line + "\n").utf8), to: fd, failing: nth)
            guard error == nil else { return (reached, error, nil) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = try buffer.withUnsafeMutableBytes { try fd.read(fromAbsoluteOffset: 0, into: $0) }
            return (reached, nil, String(decoding: buffer[..<count], as: UTF8.self))
        }
        (reached, error, result) = outcome
    }

    /// The shadow the command returned, when it was taken.
    func shadow() throws -> ShadowResult? {
        guard let result else { return nil }
        return try ShadowResult(ResultFields(parsing: result))
    }
}
