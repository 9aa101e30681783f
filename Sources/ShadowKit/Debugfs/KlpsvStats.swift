/// klpsv's `stats` file: counters per shadow id and in total, who owns the
/// shadows of each id, and the memory each id holds.
///
/// ```
/// id        live     bytes    allocs     frees lifetime      slots       used    memory variables     table   pending
/// 1            2       128         3         1    state         64          3       880       160       640        80
/// 7            0         0         1         1   manual         64          1       640         0       640         0
/// total        2       128         4         2        -        128          4      1520       160      1280        80
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

    /// The memory an id holds, or all ids together, in bytes: the
    /// `variables`, `table` and `pending` columns, whose sum is the `memory`
    /// column.
    public struct Memory: Sendable, Equatable, Hashable {
        /// What its live variables take, headers and data, as allocated.
        public var variables: UInt64
        /// What its table takes.
        public var table: UInt64
        /// Freed variables and tables whose memory is not given back yet.
        public var pending: UInt64

        /// Creates a memory count; all zero by default.
        public init(variables: UInt64 = 0, table: UInt64 = 0, pending: UInt64 = 0) {
            self.variables = variables
            self.table = table
            self.pending = pending
        }

        /// No memory.
        public static let zero = Memory()

        /// All of it: variables, table and pending frees (the `memory` column).
        public var total: UInt64 { variables + table + pending }

        /// The memory of two ids together.
        public static func + (lhs: Memory, rhs: Memory) -> Memory {
            Memory(variables: lhs.variables + rhs.variables, table: lhs.table + rhs.table,
                   pending: lhs.pending + rhs.pending)
        }
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
        /// The slots of its table, 8 bytes each; `nil` when the file has no
        /// `slots` column (klpsv before its slot tables).
        public var slots: UInt64?
        /// The slots of its table that are taken, by live shadows and by
        /// freed ones not yet reclaimed; `nil` when the file has no `used`
        /// column.
        public var used: UInt64?
        /// The memory it holds in all.
        public var memory: Memory

        /// Creates a row.
        public init(id: UInt64, counters: Counters, lifetime: Lifetime? = nil, slots: UInt64? = nil,
                    used: UInt64? = nil, memory: Memory = .zero) {
            self.id = id
            self.counters = counters
            self.lifetime = lifetime
            self.slots = slots
            self.used = used
            self.memory = memory
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
    /// The memory all ids hold, from the `total` line.
    public var totalMemory: Memory

    /// Creates stats from parts.
    public init(rows: [Row], total: Counters, totalSlots: UInt64? = nil, totalUsed: UInt64? = nil,
                totalMemory: Memory = .zero) {
        self.rows = rows
        self.total = total
        self.totalSlots = totalSlots
        self.totalUsed = totalUsed
        self.totalMemory = totalMemory
    }

    /// Parses the text of the `stats` file, finding columns by header name.
    /// The `lifetime`, `slots` and `used` columns are optional; the memory
    /// columns are not (klpsv and its tools ship together). The `total`
    /// line's `lifetime` is not read.
    ///
    /// - Throws: ``MalformedOutput`` for a missing column, a row of the wrong
    ///   width, a field that is not a number, a `memory` that is not the sum
    ///   of `variables`, `table` and `pending`, an unknown lifetime, or no
    ///   `total` line.
    public init(parsing text: String) throws(MalformedOutput) {
        let table = try ColumnTable(parsing: text, source: "klpsv stats")
        let columns = try ["id", "live", "bytes", "allocs", "frees"].map { (name) throws(MalformedOutput) in
            try table.column(name)
        }
        let memoryColumns = try ["memory", "variables", "table", "pending"].map { (name) throws(MalformedOutput) in
            try table.column(name)
        }
        let lifetimeColumn = table.header.firstIndex(of: "lifetime")
        let slotsColumn = table.header.firstIndex(of: "slots")
        let usedColumn = table.header.firstIndex(of: "used")
        var rows: [Row] = []
        var total: Counters?
        var totalSlots: UInt64?
        var totalUsed: UInt64?
        var totalMemory = Memory.zero
        for row in table.rows {
            let counters = Counters(
                live: try table.number(row, columns[1]), bytes: try table.number(row, columns[2]),
                allocs: try table.number(row, columns[3]), frees: try table.number(row, columns[4]))
            var slots: UInt64?
            if let slotsColumn { slots = try table.number(row, slotsColumn) }
            var used: UInt64?
            if let usedColumn { used = try table.number(row, usedColumn) }
            let memory = try Self.memory(of: row, in: table, columns: memoryColumns)
            if row.fields[columns[0]] == "total" {
                total = counters
                totalSlots = slots
                totalUsed = used
                totalMemory = memory
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
                            slots: slots, used: used, memory: memory))
        }
        guard let total else {
            throw MalformedOutput(source: table.source, reason: "no 'total' line", text: text)
        }
        self.init(rows: rows, total: total, totalSlots: totalSlots, totalUsed: totalUsed, totalMemory: totalMemory)
    }

    /// The memory columns of `row`: `memory`, `variables`, `table` and
    /// `pending`, in that order in `columns`.
    private static func memory(of row: ColumnTable.Row, in table: ColumnTable,
                               columns: [Int]) throws(MalformedOutput) -> Memory {
        let all = try table.number(row, columns[0])
        let memory = Memory(variables: try table.number(row, columns[1]), table: try table.number(row, columns[2]),
                            pending: try table.number(row, columns[3]))
        let (partial, overflow) = memory.variables.addingReportingOverflow(memory.table)
        let (sum, overflowAgain) = partial.addingReportingOverflow(memory.pending)
        guard !overflow, !overflowAgain, sum == all else {
            throw MalformedOutput(source: table.source, line: row.line,
                                  reason: "'memory' is not variables + table + pending", text: row.text)
        }
        return memory
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

    /// The memory id `id` holds; `nil` for an id the store has not seen.
    public func memory(of id: UInt64) -> Memory? {
        rows.first { $0.id == id }?.memory
    }
}
