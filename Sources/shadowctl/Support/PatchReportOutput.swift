import ShadowKit

/// Prints `report` as lines for a person, or as one JSON object.
func printReport(_ report: PatchReport, json: Bool) throws {
    if json {
        try printJSON(PatchReportJSON(report))
    } else {
        report.lines.forEach { print($0) }
    }
}

extension PatchReport {
    /// The report for a person: the outcome, then one line per replaced
    /// patch and per state introduced, removed or kept.
    var lines: [String] {
        let took = "\(waited.components.seconds) s"
        var lines: [String]
        switch (step, status) {
        case (.disable, nil):
            lines = ["\(patch): disabled and freed (unpatching took \(took))"]
        case (.disable, let status?) where !status.enabled:
            lines = ["\(patch): disabled (unpatching took \(took))"]
        case (.disable, _):
            lines = ["\(patch): the disable was reversed; the patch is enabled"]
        case (_, let status?) where status.enabled:
            lines = ["\(patch): enabled (patching took \(took))"]
        default:
            lines = ["\(patch): the transition was reversed; the patch is disabled"]
        }
        if loadedStore { lines.insert("loaded \(KlpsvModule.store)", at: 0) }
        if orphan {
            lines.append("\(patch): kept by klpsv as an orphan: its block_disable states stay in force")
        }
        lines += replaced.map { "replaced \($0)" }
        lines += changes.introduced.map { "state \($0.id) introduced (\(lifetime($0.flags)))" }
        lines += changes.removed.map { removal in
            let state = removal.before
            let freed = state.flags.isShadow ? ", \(removal.freedShadows) shadows freed" : ""
            return "state \(state.id) removed (\(lifetime(state.flags)))\(freed)"
        }
        lines += changes.kept.map { keep in
            "state \(keep.after.id) kept (\(lifetime(keep.after.flags)), \(keep.after.shadows) shadows)"
        }
        if changes.isEmpty {
            lines.append("no state introduced, removed or kept")
        }
        return lines
    }

    private func lifetime(_ flags: StateFlags) -> String {
        var words = [flags.isShadow ? "shadow lifetime" : "manual lifetime"]
        if flags.blockDisable { words.append("block_disable") }
        return words.joined(separator: ", ")
    }
}

/// A ``PatchReport`` as JSON.
struct PatchReportJSON: Encodable {
    struct Removed: Encodable {
        var id: UInt64
        var freedShadows: UInt64
    }

    var patch, step: String
    var waitedSeconds: Double
    var enabled, orphan: Bool
    var freed: Bool
    var replaced: [String]
    var introduced, kept: [UInt64]
    var removed: [Removed]
    var freedShadows: UInt64

    init(_ report: PatchReport) {
        patch = report.patch
        step = report.step.rawValue
        let (seconds, attoseconds) = report.waited.components
        waitedSeconds = Double(seconds) + Double(attoseconds) / 1e18
        enabled = report.endedEnabled
        freed = report.status == nil
        orphan = report.orphan
        replaced = report.replaced
        introduced = report.changes.introduced.map(\.id)
        kept = report.changes.kept.map(\.after.id)
        removed = report.changes.removed.map { Removed(id: $0.before.id, freedShadows: $0.freedShadows) }
        freedShadows = report.freedShadows
    }
}
