import Foundation
import ShadowKit

/// The kernel's leak detector on a debug kernel (`make test-debug`): its
/// debugfs file, scanned on demand.
enum Kmemleak {
    static let path = "/sys/kernel/debug/kmemleak"

    /// How long an object must be unreferenced before a scan reports it:
    /// kmemleak's minimum age (5 s), and a second.
    static let settleTime: TimeInterval = 6

    /// True in the debug lane, which sets `KLPSV_CHECKERS` (the flavour)
    /// and has checked that kmemleak is on.
    static var isChecked: Bool {
        Integration.underCheckers
    }

    /// True when the suite scans after every test that unloads the
    /// modules (`KLPSV_KMEMLEAK_EACH_TEST=1`). A scan reads the whole of the
    /// guest's memory: with KASAN under TCG it took about 100 s on a busy
    /// host, which after each of the suite's tests would make a run of
    /// hours. By default the lane scans once at the end, and the tests that
    /// exist to find leaks (load/unload cycles, fault injection, stress)
    /// scan after their work.
    static var scansEachTest: Bool {
        isChecked && ProcessInfo.processInfo.environment["KLPSV_KMEMLEAK_EACH_TEST"] == "1"
    }

    /// Scans memory now, and returns the reports (one text per unreferenced
    /// object, with its backtrace) that name a klpsv module; clears the
    /// rest, which are the kernel's own. Objects younger than kmemleak's
    /// minimum age (5 s) are reported by a later scan.
    static func scanForLeaksOfOurs() throws -> [String] {
        let files = LocalFileAccess()
        try files.write("scan\n", to: path)
        let reports = try files.contents(of: path)
            .components(separatedBy: "unreferenced object ")
            .dropFirst()
            .filter { $0.contains("[klpsv") }
        try files.write("clear\n", to: path)
        return Array(reports)
    }
}
