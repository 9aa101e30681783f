import Foundation

/// A run of the `shadowctl` built beside the test bundle: what it printed
/// and returned.
struct ShadowctlRun {
    var status: Int32
    var output: String
    var error: String

    /// Runs the `shadowctl` built beside the test bundle, with the
    /// environment of the test (`KLPSV_KMOD_DIR` names the modules).
    init(_ arguments: String...) throws {
        try self.init(arguments: arguments)
    }

    /// Runs it with `arguments`.
    init(arguments: [String]) throws {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let process = Process()
        process.executableURL = bundle.deletingLastPathComponent().appendingPathComponent("shadowctl")
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        status = process.terminationStatus
        self.output = String(decoding: outputData, as: UTF8.self)
        self.error = String(decoding: errorData, as: UTF8.self)
    }

    var lines: [String] { output.split(separator: "\n").map(String.init) }
}
