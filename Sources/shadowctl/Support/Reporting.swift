import ShadowKit

/// Prints `report` as JSON or as `summary`, then exits with `status` when
/// it is not success; a failed check also says so on standard error.
func emit(_ report: some Encodable, summary: String, status: ExitStatus = .success,
          json: Bool, failure: String = "the kernel-side checks failed") throws {
    if json {
        try printJSON(report)
    } else {
        print(summary)
    }
    switch status {
    case .success: return
    case .failure: throw CommandFailure(failure, reported: true)
    default: throw CommandFailure.reported(status)
    }
}
