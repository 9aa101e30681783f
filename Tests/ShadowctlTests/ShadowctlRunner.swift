import Foundation
import Testing

/// Runs the built `shadowctl`, found next to the test bundle in `.build/debug`.
enum ShadowctlRunner {
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The executable: `shadowctl` in the directory of the running test bundle.
    static var executable: URL {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return bundle.deletingLastPathComponent().appendingPathComponent("shadowctl")
    }

    /// Runs `shadowctl arguments…` with a fixed terminal width, debugfs at
    /// `debugfs` (`KLPSV_DEBUGFS`), the livepatch sysfs directory at
    /// `livepatch` (`KLPSV_LIVEPATCH_SYSFS`), and no module directory from
    /// the caller.
    static func run(_ arguments: [String], debugfs: String? = nil, livepatch: String? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "80"
        environment["KLPSV_DEBUGFS"] = debugfs
        environment["KLPSV_LIVEPATCH_SYSFS"] = livepatch
        environment["KLPSV_KMOD_DIR"] = nil
        process.environment = environment
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let standardOutput = output.fileHandleForReading.readDataToEndOfFile()
        let standardError = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       standardOutput: String(decoding: standardOutput, as: UTF8.self),
                       standardError: String(decoding: standardError, as: UTF8.self))
    }
}

/// A fake debugfs root in a temporary directory, removed by `remove()`.
struct FakeDebugfs {
    let root: URL

    init(_ files: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("shadowctl-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    var path: String { root.path }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}
