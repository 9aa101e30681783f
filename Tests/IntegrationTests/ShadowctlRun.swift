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
        let run = try ProcessRun(bundle.deletingLastPathComponent().appendingPathComponent("shadowctl"), arguments)
        (status, output, error) = (run.status, run.output, run.error)
    }

    var lines: [String] { output.split(separator: "\n").map(String.init) }
}
