import ShadowKit

/// A failure shadowctl reports itself: `shadowctl: MESSAGE` on standard
/// error, then exit with `status`. `reported` is set when the command has
/// printed its report already (`--json` then prints no error document).
struct CommandFailure: ExitStatusError, CustomStringConvertible {
    var description: String
    var exitStatus: ExitStatus
    var reported: Bool

    init(_ description: String, status: ExitStatus = .failure, reported: Bool = false) {
        self.description = description
        self.exitStatus = status
        self.reported = reported
    }

    /// The end of a command whose report, printed already, says it all:
    /// exit with `status` and print nothing more.
    static func reported(_ status: ExitStatus) -> CommandFailure {
        CommandFailure("", status: status, reported: true)
    }
}
