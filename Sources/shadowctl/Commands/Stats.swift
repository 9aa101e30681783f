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
                slots: the size of the id's table, 8 bytes per slot; used: its slots taken, \
                by live shadows and by freed ones not yet reclaimed; memory: all the id holds, \
                its variables (headers and data), its table, and freed memory not given back \
                yet (--json gives the three apart, in bytes).
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
            columns.append(("memory", .right))
            var table = TextTable(columns)
            func append(_ label: String, _ counters: KlpsvStats.Counters, _ lifetime: String,
                        _ slotCount: UInt64?, _ usedCount: UInt64?, _ memory: KlpsvStats.Memory) {
                var cells = [label, "\(counters.live)", "\(counters.bytes)", "\(counters.allocs)", "\(counters.frees)"]
                if lifetimes { cells.append(lifetime) }
                if slots { cells.append(slotCount.map { "\($0)" } ?? "-") }
                if used { cells.append(usedCount.map { "\($0)" } ?? "-") }
                cells.append(byteCount(memory.total))
                table.append(cells)
            }
            for row in stats.rows {
                append("\(row.id)", row.counters, row.lifetime?.rawValue ?? "-", row.slots, row.used, row.memory)
            }
            append("total", stats.total, "", stats.totalSlots, stats.totalUsed, stats.totalMemory)
            table.lines.forEach { print($0) }
        }
    }
}

/// klpsv's stats as JSON. The memory, in bytes: `memory`, all of it, is
/// `variableMemory` + `tableMemory` + `pendingMemory`.
struct StatsJSON: Encodable {
    struct Row: Encodable {
        var id: UInt64
        var live, bytes, allocs, frees: UInt64
        var lifetime: String?
        var slots: UInt64?
        var used: UInt64?
        var memory, variableMemory, tableMemory, pendingMemory: UInt64
    }

    var ids: [Row]
    var total: CountersJSON
    /// The slots of all tables together.
    var slots: UInt64?
    /// The taken slots of all tables together.
    var used: UInt64?
    /// The memory of all ids together.
    var memory, variableMemory, tableMemory, pendingMemory: UInt64

    init(_ stats: KlpsvStats) {
        ids = stats.rows.map {
            Row(id: $0.id, live: $0.counters.live, bytes: $0.counters.bytes,
                allocs: $0.counters.allocs, frees: $0.counters.frees, lifetime: $0.lifetime?.rawValue,
                slots: $0.slots, used: $0.used, memory: $0.memory.total, variableMemory: $0.memory.variables,
                tableMemory: $0.memory.table, pendingMemory: $0.memory.pending)
        }
        total = CountersJSON(stats.total)
        slots = stats.totalSlots
        used = stats.totalUsed
        memory = stats.totalMemory.total
        variableMemory = stats.totalMemory.variables
        tableMemory = stats.totalMemory.table
        pendingMemory = stats.totalMemory.pending
    }
}
