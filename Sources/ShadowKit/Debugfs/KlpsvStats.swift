/// klpsv's `stats` file: counters per shadow id and in total, and who owns
/// the shadows of each id.
///
/// ```
/// id        live     bytes    allocs     frees lifetime      slots       used
/// 1            2       128         3         1    state         64          3
/// 3            1         8         1         0   manual         64          1
/// total        3       136         4         1        -        128          4
/// ```
public struct KlpsvStats: Sendable, Equatable {
    /// Who frees the shadows of an id (the `lifetime` column).
    public enum Lifetime: String, Sendable, Equatable, Hashable {
        /// The classic lifetime: only their users free them, so a leak shows.
        case manual
        /// An `is_shadow` system state owns them: freed when it is removed.
        case state
    }

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
        /// Who frees its shadows; `nil` when the file has no `lifetime`
        /// column (klpsv before system states).
        public var lifetime: Lifetime?
        /// The slots of its table, 16 bytes each; `nil` when the file has no
        /// `slots` column (klpsv before its slot tables).
        public var slots: UInt64?
        /// The slots of its table that are taken, by live shadows and by
        /// freed ones not yet reclaimed; `nil` when the file has no `used`
        /// column.
        public var used: UInt64?

        /// Creates a row.
        public init(id: UInt64, counters: Counters, lifetime: Lifetime? = nil, slots: UInt64? = nil,
                    used: UInt64? = nil) {
            self.id = id
            self.counters = counters
            self.lifetime = lifetime
            self.slots = slots
            self.used = used
        }
    }

    /// One row per id the store has seen, in the file's order (ascending id).
    public var rows: [Row]
    /// The `total` line.
    public var total: Counters
    /// The slots of all tables, from the `total` line; `nil` when the file
    /// has no `slots` column.
    public var totalSlots: UInt64?
    /// The taken slots of all tables, from the `total` line; `nil` when the
    /// file has no `used` column.
    public var totalUsed: UInt64?

    /// Creates stats from parts.
    public init(rows: [Row], total: Counters, totalSlots: UInt64? = nil, totalUsed: UInt64? = nil) {
        self.rows = rows
        self.total = total
        self.totalSlots = totalSlots
        self.totalUsed = totalUsed
    }

    /// Parses the text of the `stats` file, finding columns by header name.
    /// The `lifetime`, `slots` and `used` columns are optional; the `total`
    /// line's `lifetime` is not read.
    ///
    /// - Throws: ``MalformedOutput`` for a missing column, a row of the wrong
    ///   width, a field that is not a number, an unknown lifetime, or no
    ///   `total` line.
    public init(parsing text: String) throws(MalformedOutput) {
        let table = try ColumnTable(parsing: text, source: "klpsv stats")
        let columns = try ["id", "live", "bytes", "allocs", "frees"].map { (name) throws(MalformedOutput) in
            try table.column(name)
        }
        let lifetimeColumn = table.header.firstIndex(of: "lifetime")
        let slotsColumn = table.header.firstIndex(of: "slots")
        let usedColumn = table.header.firstIndex(of: "used")
        var rows: [Row] = []
        var total: Counters?
        var totalSlots: UInt64?
        var totalUsed: UInt64?
        for row in table.rows {
            let counters = Counters(
                live: try table.number(row, columns[1]), bytes: try table.number(row, columns[2]),
                allocs: try table.number(row, columns[3]), frees: try table.number(row, columns[4]))
            var slots: UInt64?
            if let slotsColumn { slots = try table.number(row, slotsColumn) }
            var used: UInt64?
            if let usedColumn { used = try table.number(row, usedColumn) }
            if row.fields[columns[0]] == "total" {
                total = counters
                totalSlots = slots
                totalUsed = used
                continue
            }
            var lifetime: Lifetime?
            if let lifetimeColumn {
                lifetime = Lifetime(rawValue: String(row.fields[lifetimeColumn]))
                guard lifetime != nil else {
                    throw MalformedOutput(source: table.source, line: row.line,
                                          reason: "'lifetime' is neither manual nor state", text: row.text)
                }
            }
            rows.append(Row(id: try table.number(row, columns[0]), counters: counters, lifetime: lifetime,
                            slots: slots, used: used))
        }
        guard let total else {
            throw MalformedOutput(source: table.source, reason: "no 'total' line", text: text)
        }
        self.init(rows: rows, total: total, totalSlots: totalSlots, totalUsed: totalUsed)
    }

    /// The counters of shadow id `id`; zero for an id the store has not seen.
    public subscript(id id: UInt64) -> Counters {
        rows.first { $0.id == id }?.counters ?? .zero
    }

    /// Who frees the shadows of id `id`; `nil` for an id the store has not
    /// seen, or when the file has no `lifetime` column.
    public func lifetime(of id: UInt64) -> Lifetime? {
        rows.first { $0.id == id }?.lifetime
    }

    /// The slots of the table of id `id`; `nil` for an id the store has not
    /// seen, or when the file has no `slots` column.
    public func slots(of id: UInt64) -> UInt64? {
        rows.first { $0.id == id }?.slots
    }

    /// The taken slots of the table of id `id`; `nil` for an id the store
    /// has not seen, or when the file has no `used` column.
    public func used(of id: UInt64) -> UInt64? {
        rows.first { $0.id == id }?.used
    }
}
