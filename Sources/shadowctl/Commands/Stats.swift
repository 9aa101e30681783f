import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show klpsv's counters per shadow id.",
            discussion: """
                live: shadows that exist now; bytes: their data size; allocs and frees: \
                shadows created and freed since klpsv was loaded; lifetime: state when an \
                in-force is_shadow state frees the id's shadows, manual when only their users do; \
                slots: the size of the id's table, 16 bytes per slot; used: its slots taken, \
                by live shadows and by freed ones not yet reclaimed.
                """)

        @OptionGroup var output: OutputOptions

        func run() throws {
            let stats = try Environment().debugfs.stats()
            if output.json {
                try printJSON(StatsJSON(stats))
                return
            }
            let lifetimes = stats.rows.contains { $0.lifetime != nil }
            let slots = stats.totalSlots != nil
            let used = stats.totalUsed != nil
            var columns: [(String, TextTable.Alignment)] = [("id", .left), ("live", .right), ("bytes", .right),
                                                             ("allocs", .right), ("frees", .right)]
            if lifetimes { columns.append(("lifetime", .left)) }
            if slots { columns.append(("slots", .right)) }
            if used { columns.append(("used", .right)) }
            var table = TextTable(columns)
            func append(_ label: String, _ counters: KlpsvStats.Counters, _ lifetime: String,
                        _ slotCount: UInt64?, _ usedCount: UInt64?) {
                var cells = [label, "\(counters.live)", "\(counters.bytes)", "\(counters.allocs)", "\(counters.frees)"]
                if lifetimes { cells.append(lifetime) }
                if slots { cells.append(slotCount.map { "\($0)" } ?? "-") }
                if used { cells.append(usedCount.map { "\($0)" } ?? "-") }
                table.append(cells)
            }
            for row in stats.rows {
                append("\(row.id)", row.counters, row.lifetime?.rawValue ?? "-", row.slots, row.used)
            }
            append("total", stats.total, "", stats.totalSlots, stats.totalUsed)
            table.lines.forEach { print($0) }
        }
    }
}

/// klpsv's stats as JSON.
struct StatsJSON: Encodable {
    struct Row: Encodable {
        var id: UInt64
        var live, bytes, allocs, frees: UInt64
        var lifetime: String?
        var slots: UInt64?
        var used: UInt64?
    }

    var ids: [Row]
    var total: CountersJSON
    /// The slots of all tables together.
    var slots: UInt64?
    /// The taken slots of all tables together.
    var used: UInt64?

    init(_ stats: KlpsvStats) {
        ids = stats.rows.map {
            Row(id: $0.id, live: $0.counters.live, bytes: $0.counters.bytes,
                allocs: $0.counters.allocs, frees: $0.counters.frees, lifetime: $0.lifetime?.rawValue,
                slots: $0.slots, used: $0.used)
        }
        total = CountersJSON(stats.total)
        slots = stats.totalSlots
        used = stats.totalUsed
    }
}
