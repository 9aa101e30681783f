import Foundation
import ShadowKit

/// A run of a program of the installed system (the packaged `shadowctl`,
/// `modinfo`) from `/`, without `KLPSV_KMOD_DIR`: as an operator runs it.
struct InstalledRun {
    var status: Int32
    var output: String
    var error: String

    /// Runs `executable arguments…`.
    init(_ executable: String, _ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        var environment = ProcessInfo.processInfo.environment
        environment["KLPSV_KMOD_DIR"] = nil
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

/// The packaged tools and modules, as `scripts/test-package` installs them.
enum Installed {
    /// The packaged `shadowctl`.
    static let shadowctl = "/usr/bin/shadowctl"
    /// DKMS's signing key's name, which `modinfo -F signer` shows.
    static let signer = "DKMS module signing key"

    /// The running kernel's release.
    static var release: String {
        get throws {
            try LocalFileAccess().contents(of: "/proc/sys/kernel/osrelease")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// `modinfo -F field target`, trimmed.
    static func modinfo(_ field: String, _ target: String) throws -> String {
        try InstalledRun("/sbin/modinfo", "-F", field, target).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
