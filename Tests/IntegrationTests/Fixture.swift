import Foundation
import ShadowKit
import SystemPackage
import Testing

/// A loaded klpsv and klpsv_test, and the clients a test uses on them.
struct KlpsvSession {
    let loader: ModuleLoader
    let debugfs: KlpsvDebugfs
    let hooks: TestHooks
    let cursor: KernelLogCursor

    /// klpsv's parsed `stats`.
    func stats() throws -> KlpsvStats {
        try debugfs.stats()
    }

    /// klpsv's parsed `stats`, read every 50 ms until `settled` holds for
    /// them or `timeout` has passed: the last read, for the caller to check,
    /// when what deferred work changes is awaited.
    func stats(within timeout: Duration = .seconds(10), until settled: (KlpsvStats) -> Bool) throws -> KlpsvStats {
        let deadline = ContinuousClock.now + timeout
        var stats = try stats()
        while !settled(stats) && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            stats = try self.stats()
        }
        return stats
    }

    /// klpsv's parsed `shadows`.
    func shadows() throws -> ShadowListing {
        try debugfs.shadows()
    }

    /// Reads the kernel log so far, so that a noisy test loses no record.
    func pollLog() throws {
        try cursor.read()
    }

    /// Sets a klpsv_test parameter through sysfs.
    func setHooksParameter(_ name: String, _ value: String) throws {
        try LocalFileAccess().write(value + "\n", to: "/sys/module/\(KlpsvModule.hooks)/parameters/\(name)")
    }

    /// Sets a klpsv parameter through sysfs.
    func setStoreParameter(_ name: String, _ value: String) throws {
        try LocalFileAccess().write(value + "\n", to: "/sys/module/\(KlpsvModule.store)/parameters/\(name)")
    }
}

/// What a session left behind, for the checks a test makes after unload.
struct SessionReport {
    /// The kernel log from before klpsv was loaded until after it was unloaded.
    let log: KernelLog
    /// klpsv's stats after klpsv_test was unloaded, before klpsv was.
    let finalStats: KlpsvStats
}

/// The shared shape of every integration test: load both modules, run the
/// check, unload both, and check what all tests must leave behind.
enum Fixture {
    /// Loads klpsv (with `parameters`) and klpsv_test, runs `body`, then
    /// unloads klpsv_test and klpsv and checks that klpsv had
    /// `expectedLeftovers` live shadows before its unload (0 unless the test
    /// is about leftovers), that both modules are gone, and that the kernel
    /// log since before the load has no forbidden line.
    @discardableResult
    static func run(
        klpsvParameters parameters: [String] = [],
        expectedLeftovers: UInt64 = 0,
        _ body: (KlpsvSession) throws -> Void
    ) throws -> SessionReport {
        let loader = ModuleLoader()
        try unloadModulesOfEarlierTests(loader)
        let cursor = try KernelLogCursor()
        try loader.load(Integration.modulePath(KlpsvModule.store), parameters: parameters)
        do {
            try loader.load(Integration.modulePath(KlpsvModule.hooks))
            let debugfs = KlpsvDebugfs()
            let session = KlpsvSession(loader: loader, debugfs: debugfs, hooks: try TestHooks(debugfs: debugfs),
                                       cursor: cursor)
            try body(session)
        } catch {
            try? unloadModulesOfEarlierTests(loader)
            throw error
        }
        try loader.unload(KlpsvModule.hooks)
        let finalStats = try KlpsvDebugfs().stats()
        #expect(finalStats.total.live == expectedLeftovers, "live shadows in klpsv before its unload")
        try loader.unload(KlpsvModule.store)
        #expect(!loader.isLoaded(KlpsvModule.store))
        #expect(try LocalFileAccess().kind(of: KlpsvDebugfs().storeDirectory) == nil,
                "klpsv's debugfs directory outlives the module")
        let log = try cursor.read()
        expectClean(log)
        try expectNoLeaks()
        return SessionReport(log: log, finalStats: finalStats)
    }

    /// Loads klpsv with `parameters`, expecting the kernel to refuse, and
    /// returns the refusal; checks that nothing stays loaded and the kernel
    /// log has no forbidden line.
    static func loadRefused(parameters: [String]) throws -> ModuleError? {
        let loader = ModuleLoader()
        try unloadModulesOfEarlierTests(loader)
        let path = try Integration.modulePath(KlpsvModule.store)
        let cursor = try KernelLogCursor()
        var refusal: ModuleError?
        do {
            try loader.load(path, parameters: parameters)
            Issue.record("klpsv loaded with \(parameters)")
            try loader.unload(KlpsvModule.store)
        } catch {
            refusal = error
        }
        #expect(!loader.isLoaded(KlpsvModule.store))
        expectClean(try cursor.read())
        try expectNoLeaks()
        return refusal
    }

    /// What no test may make klpsv say, besides the kernel's own alarms: a
    /// table that could not be rebuilt works on, ever more crowded.
    static let forbidden = ForbiddenPattern.standard + [ForbiddenPattern("cannot rebuild the table")]

    /// Records an issue for every forbidden line in `log`, and for lost
    /// records. On the KCSAN debug kernel, a data race reported in code
    /// that is not klpsv's is listed on standard error and not counted.
    static func expectClean(_ log: KernelLog) {
        let foreign = foreignKCSANReports(in: log)
        for report in foreign {
            FileHandle.standardError.write(Data("KCSAN, not in klpsv (not counted): \(report.title)\n".utf8))
        }
        for violation in log.removing(foreign).violations(of: forbidden) {
            Issue.record("forbidden kernel log line: \(violation)")
        }
        #expect(log.lostRecords == 0, "kernel log records lost: the log cannot be checked")
    }

    /// The KCSAN reports in `log` that name no code of our modules (all
    /// their names start with "klpsv"): races elsewhere in the kernel.
    static func foreignKCSANReports(in log: KernelLog) -> [KCSANReport] {
        log.kcsanReports.filter { !$0.namesModule("klpsv", in: log) }
    }

    /// On a debug kernel with ``Kmemleak/scansEachTest``, records an issue
    /// for every object of a klpsv module that kmemleak finds unreferenced,
    /// once the modules are gone. Otherwise the tests that exist to find
    /// leaks scan (``expectNoLeaksNow()``), and the lane scans once at the
    /// end (scripts/guest-integration.sh).
    static func expectNoLeaks() throws {
        guard Kmemleak.scansEachTest else { return }
        try expectNoLeaksNow()
    }

    /// On a debug kernel, records an issue for every object of a klpsv
    /// module that a kmemleak scan made now finds unreferenced.
    static func expectNoLeaksNow() throws {
        guard Kmemleak.isChecked else { return }
        for report in try Kmemleak.scanForLeaksOfOurs() {
            Issue.record("kmemleak: unreferenced object \(report)")
        }
    }

    /// Removes what an earlier test that failed half-way left loaded, so
    /// that one failure does not cascade: its livepatches first, which
    /// hold klpsv_test and klpsv, then the sample target.
    private static func unloadModulesOfEarlierTests(_ loader: ModuleLoader) throws {
        try VirtualPatches(loader: loader).removeAll()
        try Samples(loader: loader).removeAll()
        for name in [KlpsvBench.module, KlpsvModule.hooks, KlpsvModule.store] where loader.isLoaded(name) {
            try loader.unload(name)
        }
    }
}

/// `count` bytes of `byte`.
func bytes(_ byte: UInt8, _ count: Int) -> [UInt8] {
    [UInt8](repeating: byte, count: count)
}

/// True when `text` holds what looks like a raw x86-64 kernel address:
/// 16 hex digits starting with `ffff`.
func containsRawKernelAddress(_ text: String) -> Bool {
    var run = ""
    for character in text + " " {
        if character.isHexDigit {
            run.append(character)
            continue
        }
        if run.count >= 16 && run.lowercased().hasPrefix("ffff") { return true }
        run = ""
    }
    return false
}
