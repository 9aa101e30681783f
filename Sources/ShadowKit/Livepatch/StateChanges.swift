/// What a livepatch transition did to the system states: the difference
/// between klpsv's `states` file before and after it.
public struct StateChanges: Sendable, Equatable {
    /// A state that was in force before and is not after.
    public struct Removal: Sendable, Equatable {
        /// Its row before the transition (its flags are those of the patch
        /// that supported it).
        public var before: KlpsvStates.Row
        /// Its row after, if the file still has one (`removed`).
        public var after: KlpsvStates.Row?

        /// Creates a removal.
        public init(before: KlpsvStates.Row, after: KlpsvStates.Row?) {
            self.before = before
            self.after = after
        }

        /// The shadows of an `is_shadow` state that went with it; 0 for
        /// another state, whose shadows have the manual lifetime.
        public var freedShadows: UInt64 {
            guard before.flags.isShadow else { return 0 }
            let left = after?.shadows ?? 0
            return before.shadows > left ? before.shadows - left : 0
        }
    }

    /// A state in force before and after.
    public struct Keep: Sendable, Equatable {
        /// Its row before.
        public var before: KlpsvStates.Row
        /// Its row after.
        public var after: KlpsvStates.Row

        /// Creates a keep.
        public init(before: KlpsvStates.Row, after: KlpsvStates.Row) {
            self.before = before
            self.after = after
        }
    }

    /// States in force after and not before, by id (their rows after).
    public var introduced: [KlpsvStates.Row]
    /// States in force before and not after, by id.
    public var removed: [Removal]
    /// States in force before and after, by id.
    public var kept: [Keep]

    /// Creates changes from parts.
    public init(introduced: [KlpsvStates.Row] = [], removed: [Removal] = [], kept: [Keep] = []) {
        self.introduced = introduced
        self.removed = removed
        self.kept = kept
    }

    /// Compares two readings of the `states` file. Only `in-force` counts:
    /// a `declared` state (introduction in flight) or a `removed` one is not
    /// in force.
    public init(before: KlpsvStates, after: KlpsvStates) {
        let inForceBefore = before.rows.filter { $0.phase == .inForce }
        let inForceAfter = after.rows.filter { $0.phase == .inForce }
        let idsBefore = Set(inForceBefore.map(\.id)), idsAfter = Set(inForceAfter.map(\.id))
        self.init(
            introduced: inForceAfter.filter { !idsBefore.contains($0.id) }.sorted { $0.id < $1.id },
            removed: inForceBefore.filter { !idsAfter.contains($0.id) }
                .map { Removal(before: $0, after: after[id: $0.id]) }.sorted { $0.before.id < $1.before.id },
            kept: inForceAfter.compactMap { row in before[id: row.id].map { Keep(before: $0, after: row) } }
                .filter { $0.before.phase == .inForce }.sorted { $0.after.id < $1.after.id })
    }

    /// True when no state was introduced, removed or kept.
    public var isEmpty: Bool {
        introduced.isEmpty && removed.isEmpty && kept.isEmpty
    }
}

extension KlpsvPatches {
    /// The `block_disable` states that disabling `patch` would leave in
    /// force with nothing to maintain them, so that klpsv would keep
    /// `patch` as an orphan: those `patch` declares with `block_disable`,
    /// that are in force (one whose introduction is in flight is undone by
    /// a disable), and that no other enabled or orphan patch declares.
    public func blockDisableStates(orphanedByDisabling patch: String, states: KlpsvStates) -> [DeclaredState] {
        guard let row = rows.first(where: { $0.name == patch }) else { return [] }
        let maintainers = rows.filter { $0.name != patch && ($0.phase == .enabled || $0.phase == .orphan) }
        return row.states.filter { state in
            state.flags.blockDisable
                && states[id: state.id]?.phase == .inForce
                && !maintainers.contains { $0.states.contains { $0.id == state.id } }
        }
    }

    /// The registered patch named `name`, if any.
    public subscript(name name: String) -> Row? {
        rows.first { $0.name == name }
    }
}
