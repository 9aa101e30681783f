import Foundation
import ShadowKit
import Testing

/// One of the kernel's livepatch selftest scripts
/// (tools/testing/selftests/livepatch), as scripts/upstream-tests copied it
/// into `kmod/upstream/`, cut into its tests: each is upstream's own text,
/// run after the script's preamble (functions.sh, the module names,
/// setup_config) and checked by upstream's own check_result().
struct Selftest {
    /// The livepatches and target modules of the ported selftests, as
    /// Kbuild builds them (under upstream's names, which the logs hold).
    static let modules = [
        "test_klp_callbacks_demo", "test_klp_callbacks_demo2", "test_klp_callbacks_mod",
        "test_klp_callbacks_busy", "test_klp_state", "test_klp_state2", "test_klp_state3",
    ]

    /// Upstream's livepatches among ``modules``, newest first, the order in
    /// which a test that failed half-way leaves them removable.
    static let livepatches = [
        "test_klp_callbacks_demo2", "test_klp_callbacks_demo", "test_klp_state3", "test_klp_state2",
        "test_klp_state",
    ]

    /// The target modules, unloaded once the livepatches are gone.
    static let targets = ["test_klp_callbacks_mod", "test_klp_callbacks_busy"]

    /// Where functions.sh turns on the livepatch core's pr_debug lines.
    static let dynamicDebugControl = "/sys/kernel/debug/dynamic_debug/control"

    private static let testStart = "start_test \""

    let path: String
    /// The lines before the first test.
    let preamble: String
    /// Each test's title and text, from its start_test to the next one's.
    let tests: [(title: String, text: String)]

    /// Reads `kmod/upstream/name` and cuts it into its tests.
    init(_ name: String) throws {
        path = try Integration.moduleDirectory() + "/upstream/" + name
        let lines = try LocalFileAccess().contents(of: path)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let starts = lines.indices.filter { lines[$0].hasPrefix(Self.testStart) }
        let first = try #require(starts.first, "\(name) has no start_test")
        preamble = lines[..<first].joined(separator: "\n")
        tests = try zip(starts, starts.dropFirst() + [lines.endIndex]).map { start, end in
            let line = lines[start].dropFirst(Self.testStart.count)
            let title = try #require(line.split(separator: "\"").first, "a start_test without a title")
            return (String(title), lines[start..<end].joined(separator: "\n"))
        }
    }

    /// The titles of the tests, in the script's order.
    var titles: [String] { tests.map(\.title) }

    /// Runs the test titled `title` with `bash`, as the script would (its
    /// `$0` is the script, so functions.sh is found beside it), `modprobe`
    /// and `modinfo` finding the modules in `modules`.
    func run(_ title: String, in modules: SelftestModules) throws -> SelftestRun {
        let test = try #require(tests.first { $0.title == title }, "\(path) has no test '\(title)'")
        return try SelftestRun(program: preamble + "\n" + test.text, scriptPath: path, modules: modules)
    }
}

/// What a selftest printed on its standard output and error, and its exit
/// status; upstream's check_result() prints `ok`, or the diff of the
/// expected and actual logs and exits 1.
struct SelftestRun {
    /// The longest a test may take: each of upstream's waits is bounded by
    /// 60 s (MAX_RETRIES of RETRY_INTERVAL), and a test has a dozen at most.
    static let timeout: Duration = .seconds(300)

    var status: Int32
    var output: String
    var error: String

    init(program: String, scriptPath: String, modules: SelftestModules) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", program, scriptPath]
        process.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = modules.shimDirectory + ":" + (environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin")
        process.environment = environment
        let outputFile = modules.directory + "/stdout", errorFile = modules.directory + "/stderr"
        try createFile(outputFile)
        try createFile(errorFile)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now + Self.timeout
        while process.isRunning && clock.now < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        if process.isRunning {
            Issue.record("the selftest still ran after \(Self.timeout): stopped")
            process.terminate()
        }
        process.waitUntilExit()
        status = process.terminationStatus
        output = try LocalFileAccess().contents(of: outputFile)
        error = try LocalFileAccess().contents(of: errorFile)
    }
}

/// A module tree in a temporary directory holding klpsv and the selftests'
/// modules, with `depmod` run on it, and `modprobe` and `modinfo` in
/// ``shimDirectory`` that use it: upstream's functions.sh loads its modules
/// with `modprobe NAME`, checks them with `modprobe --dry-run` and `modinfo`,
/// and expects modprobe's own error lines in the log.
final class SelftestModules {
    let directory: String
    let shimDirectory: String

    init() throws {
        let release = try LocalFileAccess().contents(of: "/proc/sys/kernel/osrelease")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        directory = NSTemporaryDirectory() + "klpsv-selftest-" + UUID().uuidString
        let root = directory + "/root"
        let tree = root + "/lib/modules/" + release
        shimDirectory = directory + "/bin"
        let files = FileManager.default
        try files.createDirectory(atPath: tree + "/extra", withIntermediateDirectories: true)
        try files.createDirectory(atPath: shimDirectory, withIntermediateDirectories: true)
        for name in [KlpsvModule.store] + Selftest.modules {
            try files.copyItem(atPath: try Integration.modulePath(name),
                               toPath: tree + "/extra/" + KlpsvModule.fileName(of: name))
        }
        // What depmod reads of a full tree; none of ours is built in.
        for file in ["modules.order", "modules.builtin", "modules.builtin.modinfo"] {
            try createFile(tree + "/" + file)
        }
        let depmod = Process()
        depmod.executableURL = URL(fileURLWithPath: "/sbin/depmod")
        depmod.arguments = ["-b", root, release]
        try depmod.run()
        depmod.waitUntilExit()
        try #require(depmod.terminationStatus == 0, "depmod -b \(root) failed")
        try write(shim: "modprobe", "exec /sbin/modprobe -d '\(root)' \"$@\"")
        try write(shim: "modinfo", "exec /sbin/modinfo -b '\(root)' \"$@\"")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func write(shim name: String, _ command: String) throws {
        let path = shimDirectory + "/" + name
        try createFile(path, "#!/bin/sh\n" + command + "\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where upstream's selftests can pass: their
    /// expected logs hold the livepatch core's pr_debug lines, which
    /// functions.sh turns on through dynamic debug (Debian's kernels have
    /// it; the debug kernels of debug/ do not).
    static var dynamicDebug: Self {
        .enabled(if: FileManager.default.fileExists(atPath: Selftest.dynamicDebugControl),
                 "needs CONFIG_DYNAMIC_DEBUG (\(Selftest.dynamicDebugControl)): the expected logs hold pr_debug lines")
    }
}

/// Creates (or empties) file `path` holding `text`.
private func createFile(_ path: String, _ text: String = "") throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

extension Fixture {
    /// Runs the test titled `title` of selftest `script` with klpsv and
    /// klpsv_test loaded, then removes whatever of its modules the test
    /// left, even when it failed, and makes the checks of
    /// ``run(klpsvParameters:expectedLeftovers:_:)``.
    static func runSelftest(_ script: String, _ title: String) throws -> SelftestRun {
        let selftest = try Selftest(script)
        let modules = try SelftestModules()
        var run: SelftestRun?
        try Fixture.run { session in
            defer { removeSelftestModules(session.loader) }
            run = try selftest.run(title, in: modules)
        }
        return try #require(run)
    }

    private static func removeSelftestModules(_ loader: ModuleLoader) {
        let patches = PatchModules(loader: loader)
        do {
            try patches.removeAll(Selftest.livepatches)
            for name in Selftest.targets where loader.isLoaded(name) {
                try loader.unload(name)
            }
        } catch {
            Issue.record("cannot remove the selftest's modules: \(error)")
        }
    }
}
