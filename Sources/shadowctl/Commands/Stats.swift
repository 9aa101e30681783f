import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show klpsv's counters per shadow id.",
            discussion: """
                live: shadows that exist now; bytes: their data size; allocs and frees: \
                shadows created and freed since klpsv was loaded.
                """)

        @OptionGroup var output: OutputOptions

        func run() throws {
            let stats = try Environment().debugfs.stats()
            if output.json {
                try printJSON(StatsJSON(stats))
                return
            }
            var table = TextTable([("id", .left), ("live", .right), ("bytes", .right),
                                   ("allocs", .right), ("frees", .right)])
            func append(_ label: String, _ counters: KlpsvStats.Counters) {
                table.append([label, "\(counters.live)", "\(counters.bytes)", "\(counters.allocs)", "\(counters.frees)"])
            }
            for row in stats.rows { append("\(row.id)", row.counters) }
            append("total", stats.total)
            table.lines.forEach { print($0) }
        }
    }
}

/// klpsv's stats as JSON.
struct StatsJSON: Encodable {
    struct Row: Encodable {
        var id: UInt64
        var live, bytes, allocs, frees: UInt64
    }

    var ids: [Row]
    var total: CountersJSON

    init(_ stats: KlpsvStats) {
        ids = stats.rows.map {
            Row(id: $0.id, live: $0.counters.live, bytes: $0.counters.bytes,
                allocs: $0.counters.allocs, frees: $0.counters.frees)
        }
        total = CountersJSON(stats.total)
    }
}
