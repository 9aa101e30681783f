import ShadowKit

/// What `--json` prints for a command that failed: `{"error":"…","exitStatus":N}`,
/// the same message as on standard error and the status the command exits
/// with.
struct ErrorReport: Encodable {
    var error: String
    var exitStatus: ExitStatus
}
