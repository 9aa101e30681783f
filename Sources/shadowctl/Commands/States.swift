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
            abstract: "Show the livepatches registered with klpsv_enable_patch(), or with --all every livepatch.",
            discussion: """
                phase: registered, enabling, enabled, disabling, or orphan (disabled by force, \
                kept for block_disable states nobody else supports); states: ID:FLAGS. \
                With --all, every livepatch in /sys/kernel/livepatch, klpsv's or not, as \
                kpatch list shows them: enabled, in transition, and klpsv's phase and states \
                for klpsv's (- for the others, or when klpsv is not loaded).
                """)

        @Flag(help: "Every livepatch in sysfs, klpsv's or not.")
        var all = false

        @OptionGroup var output: OutputOptions

        func run() throws {
            if all { return try showAll() }
            let patches = try Environment().debugfs.patches()
            if output.json {
                try printJSON(patches.rows.map(PatchJSON.init))
                return
            }
            var table = TextTable([("patch", .left), ("phase", .left), ("replace", .left), ("states", .left)])
            for row in patches.rows {
                table.append([row.name, row.phase.rawValue, row.replace ? "yes" : "no", Self.states(row)])
            }
            table.lines.forEach { print($0) }
        }

        private func showAll() throws {
            let livepatch = Livepatch.fromEnvironment()
            let klpsv = try Self.klpsvPatches()
            var rows: [(name: String, status: Livepatch.Status, klpsv: KlpsvPatches.Row?)] = []
            for name in try livepatch.patchNames() {
                guard let status = try livepatch.status(of: name) else { continue }
                rows.append((name, status, klpsv?[name: name]))
            }
            if output.json {
                try printJSON(rows.map { LivepatchJSON(name: $0.name, status: $0.status, klpsv: $0.klpsv) })
                return
            }
            var table = TextTable([("patch", .left), ("enabled", .left), ("transition", .left),
                                   ("klpsv", .left), ("states", .left)])
            for row in rows {
                table.append([row.name, row.status.enabled ? "yes" : "no", row.status.transition ? "yes" : "no",
                              row.klpsv?.phase.rawValue ?? "-", row.klpsv.map(Self.states) ?? "-"])
            }
            table.lines.forEach { print($0) }
        }

        /// klpsv's registered patches, or nil when klpsv (or debugfs) is
        /// not there: the other livepatches are listed all the same.
        private static func klpsvPatches() throws -> KlpsvPatches? {
            do {
                return try Environment().debugfs.patches()
            } catch let error as DebugfsError where error.code == .moduleNotLoaded || error.code == .notMounted {
                return nil
            }
        }

        private static func states(_ row: KlpsvPatches.Row) -> String {
            let states = row.states.map { "\($0.id):\($0.flags)" }
            return states.isEmpty ? "-" : states.joined(separator: ",")
        }
    }
}

/// One livepatch of `patches --all` as JSON: its sysfs status, and klpsv's
/// view of it when it is klpsv's (else null).
struct LivepatchJSON: Encodable {
    var name: String
    var enabled, transition: Bool
    var klpsv: PatchJSON?

    init(name: String, status: Livepatch.Status, klpsv: KlpsvPatches.Row?) {
        self.name = name
        enabled = status.enabled
        transition = status.transition
        self.klpsv = klpsv.map(PatchJSON.init)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(transition, forKey: .transition)
        try container.encode(klpsv, forKey: .klpsv)
    }

    private enum CodingKeys: String, CodingKey {
        case name, enabled, transition, klpsv
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
