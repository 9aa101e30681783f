import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct States: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the system states of the registered livepatches.",
            discussion: """
                state: in-force (introduced, not removed), removed (shadow allocations of \
                its id are refused), or declared (its introduction is in flight); flags: \
                shadow (is_shadow), block (block_disable); enabled: klpsv_state_enabled().
                """)

        @OptionGroup var output: OutputOptions

        func run() throws {
            let states = try Environment().debugfs.states()
            if output.json {
                try printJSON(states.rows.map(StateJSON.init))
                return
            }
            var table = TextTable([("id", .left), ("state", .left), ("flags", .left), ("enabled", .left),
                                   ("shadows", .right), ("patches", .left)])
            for row in states.rows {
                table.append(["\(row.id)", row.phase.rawValue, "\(row.flags)", row.enabled ? "yes" : "no",
                              "\(row.shadows)", row.patches.isEmpty ? "-" : row.patches.joined(separator: ",")])
            }
            table.lines.forEach { print($0) }
        }
    }

    struct Patches: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the livepatches registered with klpsv_enable_patch().",
            discussion: """
                phase: registered, enabling, enabled, disabling, or orphan (disabled by force, \
                kept for block_disable states nobody else supports); states: ID:FLAGS.
                """)

        @OptionGroup var output: OutputOptions

        func run() throws {
            let patches = try Environment().debugfs.patches()
            if output.json {
                try printJSON(patches.rows.map(PatchJSON.init))
                return
            }
            var table = TextTable([("patch", .left), ("phase", .left), ("replace", .left), ("states", .left)])
            for row in patches.rows {
                let states = row.states.map { "\($0.id):\($0.flags)" }
                table.append([row.name, row.phase.rawValue, row.replace ? "yes" : "no",
                              states.isEmpty ? "-" : states.joined(separator: ",")])
            }
            table.lines.forEach { print($0) }
        }
    }
}

/// One state as JSON.
struct StateJSON: Encodable {
    var id: UInt64
    var state: String
    var isShadow, blockDisable, enabled: Bool
    var shadows: UInt64
    var patches: [String]

    init(_ row: KlpsvStates.Row) {
        id = row.id
        state = row.phase.rawValue
        isShadow = row.flags.isShadow
        blockDisable = row.flags.blockDisable
        enabled = row.enabled
        shadows = row.shadows
        patches = row.patches
    }
}

/// One registered patch as JSON.
struct PatchJSON: Encodable {
    struct State: Encodable {
        var id: UInt64
        var isShadow, blockDisable: Bool
    }

    var name, phase: String
    var replace: Bool
    var states: [State]

    init(_ row: KlpsvPatches.Row) {
        name = row.name
        phase = row.phase.rawValue
        replace = row.replace
        states = row.states.map { State(id: $0.id, isShadow: $0.flags.isShadow, blockDisable: $0.flags.blockDisable) }
    }
}
