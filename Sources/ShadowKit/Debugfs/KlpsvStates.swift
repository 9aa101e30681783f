/// klpsv's `states` file: every system state in use, or used.
///
/// ```
/// id state flags enabled shadows patches
/// 1 in-force shadow yes 3 klpsv_fix1,klpsv_fix2
/// 2 removed - no 0 -
/// ```
public struct KlpsvStates: Sendable, Equatable {
    /// Where a state is in its life.
    public enum Phase: String, Sendable, Equatable, Hashable {
        /// Introduced by a transition, not removed since.
        case inForce = "in-force"
        /// Removed: shadow allocations of its id are refused.
        case removed
        /// Declared by a registered patch whose introduction is in flight.
        case declared
    }

    /// One state.
    public struct Row: Sendable, Equatable, Hashable {
        /// The state id.
        public var id: UInt64
        /// Where it is in its life.
        public var phase: Phase
        /// Its flags, from the newest supporting patch.
        public var flags: StateFlags
        /// Whether `klpsv_state_enabled(id)` is true.
        public var enabled: Bool
        /// Live shadows with this id.
        public var shadows: UInt64
        /// The registered patches that support it, oldest first.
        public var patches: [String]

        /// Creates a row.
        public init(id: UInt64, phase: Phase, flags: StateFlags = StateFlags(), enabled: Bool,
                    shadows: UInt64 = 0, patches: [String] = []) {
            self.id = id
            self.phase = phase
            self.flags = flags
            self.enabled = enabled
            self.shadows = shadows
            self.patches = patches
        }
    }

    /// The states, ascending id.
    public var rows: [Row]

    /// Creates the view from rows.
    public init(rows: [Row]) {
        self.rows = rows
    }

    /// The row of state `id`, if the file has one.
    public subscript(id id: UInt64) -> Row? {
        rows.first { $0.id == id }
    }

    /// Parses the text of the `states` file, finding columns by header name.
    ///
    /// - Throws: ``MalformedOutput`` for a missing column, a row of the wrong
    ///   width, or a field that does not parse.
    public init(parsing text: String) throws(MalformedOutput) {
        let table = try ColumnTable(parsing: text, source: "klpsv states")
        let id = try table.column("id"), phase = try table.column("state")
        let flags = try table.column("flags"), enabled = try table.column("enabled")
        let shadows = try table.column("shadows"), patches = try table.column("patches")
        rows = try table.rows.map { (row) throws(MalformedOutput) in
            guard let parsedPhase = Phase(rawValue: String(row.fields[phase])),
                  let parsedFlags = StateFlags(parsing: row.fields[flags]),
                  let parsedEnabled = yesNo(row.fields[enabled])
            else {
                throw MalformedOutput(source: table.source, line: row.line,
                                      reason: "unknown state, flags or enabled value", text: row.text)
            }
            return Row(id: try table.number(row, id), phase: parsedPhase, flags: parsedFlags,
                       enabled: parsedEnabled, shadows: try table.number(row, shadows),
                       patches: list(row.fields[patches]))
        }
    }
}

/// `yes` or `no`.
func yesNo(_ text: Substring) -> Bool? {
    switch text {
    case "yes": true
    case "no": false
    default: nil
    }
}

/// A comma-separated list, `-` for none.
func list(_ text: Substring) -> [String] {
    text == "-" ? [] : text.split(separator: ",").map(String.init)
}
