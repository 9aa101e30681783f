import Foundation

/// What `--json` prints for a failure: one line, one JSON object with
/// exactly `error` (a non-empty message) and `exitStatus`.
struct ErrorDocument: Decodable, Equatable {
    var error: String
    var exitStatus: Int32

    /// The document `output` holds, or nil when it holds anything else.
    init?(_ output: String) {
        guard output.hasSuffix("\n"), output.dropLast().allSatisfy({ $0 != "\n" }),
              let object = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              Set(object.keys) == ["error", "exitStatus"],
              let document = try? JSONDecoder().decode(Self.self, from: Data(output.utf8)),
              !document.error.isEmpty
        else { return nil }
        self = document
    }
}
