import Foundation

/// A finished run of a program: its status and what it printed.
struct ProcessRun {
    var status: Int32
    var output: String
    var error: String

    /// Runs `executable` with `arguments`, in `directory` (the test's own
    /// when nil), with the test's environment changed by `environment`
    /// (a nil value removes a variable).
    init(_ executable: URL, _ arguments: [String], directory: String? = nil,
         environment changes: [String: String?] = [:]) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in changes { environment[name] = value }
        process.environment = environment
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
}
