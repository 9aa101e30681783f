/// klpsv's `patches` file: the livepatches registered with
/// `klpsv_enable_patch()`, oldest first.
///
/// ```
/// patch phase replace states
/// klpsv_fix2 enabled yes 1:shadow,2:-
/// klpsv_block orphan no 7:block
/// ```
public struct KlpsvPatches: Sendable, Equatable {
    /// Where a registered patch is.
    public enum Phase: String, Sendable, Equatable, Hashable {
        /// `klp_enable_patch()` has not reached its pre_patch yet.
        case registered
        /// Its patching transition is in flight.
        case enabling
        /// Enabled.
        case enabled
        /// Its unpatching transition is in flight.
        case disabling
        /// Disabled by force, kept for block_disable states nobody else supports.
        case orphan
    }

    /// One state a patch declares.
    public struct DeclaredState: Sendable, Equatable, Hashable {
        /// The state id.
        public var id: UInt64
        /// Its flags in this patch.
        public var flags: StateFlags

        /// Creates a declared state.
        public init(id: UInt64, flags: StateFlags = StateFlags()) {
            self.id = id
            self.flags = flags
        }
    }

    /// One registered patch.
    public struct Row: Sendable, Equatable, Hashable {
        /// The livepatch module's name.
        public var name: String
        /// Where it is.
        public var phase: Phase
        /// Whether it is a cumulative (atomic replace) patch.
        public var replace: Bool
        /// Its states, in its array order.
        public var states: [DeclaredState]

        /// Creates a row.
        public init(name: String, phase: Phase, replace: Bool, states: [DeclaredState] = []) {
            self.name = name
            self.phase = phase
            self.replace = replace
            self.states = states
        }
    }

    /// The registered patches, oldest first.
    public var rows: [Row]

    /// Creates the view from rows.
    public init(rows: [Row]) {
        self.rows = rows
    }

    /// Parses the text of the `patches` file, finding columns by header name.
    ///
    /// - Throws: ``MalformedOutput`` for a missing column, a row of the wrong
    ///   width, or a field that does not parse.
    public init(parsing text: String) throws(MalformedOutput) {
        let table = try ColumnTable(parsing: text, source: "klpsv patches")
        let name = try table.column("patch"), phase = try table.column("phase")
        let replace = try table.column("replace"), states = try table.column("states")
        rows = try table.rows.map { (row) throws(MalformedOutput) in
            guard let parsedPhase = Phase(rawValue: String(row.fields[phase])),
                  let parsedReplace = yesNo(row.fields[replace]),
                  let parsedStates = Self.states(row.fields[states])
            else {
                throw MalformedOutput(source: table.source, line: row.line,
                                      reason: "unknown phase, replace or states value", text: row.text)
            }
            return Row(name: String(row.fields[name]), phase: parsedPhase, replace: parsedReplace,
                       states: parsedStates)
        }
    }

    /// `ID:FLAGS,...`, or `-`; nil when malformed.
    private static func states(_ text: Substring) -> [DeclaredState]? {
        var states: [DeclaredState] = []
        for item in list(text) {
            let parts = item.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let id = UInt64(parts[0]), let flags = StateFlags(parsing: parts[1]) else {
                return nil
            }
            states.append(DeclaredState(id: id, flags: flags))
        }
        return states
    }
}
