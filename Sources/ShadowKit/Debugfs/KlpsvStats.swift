/// klpsv's `stats` file: counters per shadow id and in total.
///
/// ```
/// id        live     bytes    allocs     frees
/// 1            2       128         3         1
/// total        2       128         3         1
/// ```
public struct KlpsvStats: Sendable, Equatable {
    /// The counters of one id, or of all.
    public struct Counters: Sendable, Equatable, Hashable {
        /// Shadows that exist now.
        public var live: UInt64
        /// The data bytes of those shadows.
        public var bytes: UInt64
        /// Shadows ever created.
        public var allocs: UInt64
        /// Shadows ever freed.
        public var frees: UInt64

        /// Creates counters; all zero by default.
        public init(live: UInt64 = 0, bytes: UInt64 = 0, allocs: UInt64 = 0, frees: UInt64 = 0) {
            self.live = live
            self.bytes = bytes
            self.allocs = allocs
            self.frees = frees
        }

        /// No shadows, ever.
        public static let zero = Counters()
    }

    /// The line of one shadow id.
    public struct Row: Sendable, Equatable, Hashable {
        /// The shadow id.
        public var id: UInt64
        /// Its counters.
        public var counters: Counters

        /// Creates a row.
        public init(id: UInt64, counters: Counters) {
            self.id = id
            self.counters = counters
        }
    }

    /// One row per id the store has seen, in the file's order (ascending id).
    public var rows: [Row]
    /// The `total` line.
    public var total: Counters

    /// Creates stats from parts.
    public init(rows: [Row], total: Counters) {
        self.rows = rows
        self.total = total
    }

    /// Parses the text of the `stats` file, finding columns by header name.
    ///
    /// - Throws: ``MalformedOutput`` for a missing column, a row of the wrong
    ///   width, a field that is not a number, or no `total` line.
    public init(parsing text: String) throws(MalformedOutput) {
        let table = try ColumnTable(parsing: text, source: "klpsv stats")
        let columns = try ["id", "live", "bytes", "allocs", "frees"].map { (name) throws(MalformedOutput) in
            try table.column(name)
        }
        var rows: [Row] = []
        var total: Counters?
        for row in table.rows {
            let counters = Counters(
                live: try table.number(row, columns[1]), bytes: try table.number(row, columns[2]),
                allocs: try table.number(row, columns[3]), frees: try table.number(row, columns[4]))
            if row.fields[columns[0]] == "total" {
                total = counters
            } else {
                rows.append(Row(id: try table.number(row, columns[0]), counters: counters))
            }
        }
        guard let total else {
            throw MalformedOutput(source: table.source, reason: "no 'total' line", text: text)
        }
        self.init(rows: rows, total: total)
    }

    /// The counters of shadow id `id`; zero for an id the store has not seen.
    public subscript(id id: UInt64) -> Counters {
        rows.first { $0.id == id }?.counters ?? .zero
    }
}
