import Foundation
import ShadowKit

/// A run of a program of the installed system (the packaged `shadowctl`,
/// `modinfo`) from `/`, without `KLPSV_KMOD_DIR`: as an operator runs it.
func runInstalled(_ executable: String, _ arguments: String...) throws -> ProcessRun {
    try ProcessRun(URL(fileURLWithPath: executable), arguments, directory: "/",
                   environment: [ModuleDirectory.environmentVariable: nil])
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
        try runInstalled("/sbin/modinfo", "-F", field, target).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
