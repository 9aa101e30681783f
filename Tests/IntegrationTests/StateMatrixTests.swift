import ShadowKit
import Testing

/// One cell of the transition matrix: patches already enabled, one
/// transition, how it ends, and the exact callbacks it must run.
struct TransitionCase: Sendable, CustomTestStringConvertible {
    /// A virtual patch: its number, states (`"1s,2b,3f"`), replace and hold.
    struct Patch: Sendable {
        var number: Int
        var states: String
        var replace = false
        var hold = false
    }

    enum Transition: Sendable {
        /// Load and enable a patch.
        case enable(Patch)
        /// Disable an enabled patch.
        case disable(Int)
    }

    enum Outcome: Sendable {
        /// The transition completes.
        case success
        /// It is refused (a failing pre_patch), or, for a disable, klpsv
        /// refuses to revert a block_disable state (an orphan stays).
        case failure
        /// It is reversed while a task holds it open.
        case reversal
    }

    var testDescription: String
    var base: [Patch]
    var transition: Transition
    var outcome: Outcome
    /// `(patch number, state id, callback)`, in order.
    var callbacks: [(Int, UInt64, String)]
    /// The states in force afterwards.
    var inForce: Set<UInt64>
    /// A patch that adopts what an orphan keeps, so that the test can clean up.
    var adopter: Patch?
}

private let matrix: [TransitionCase] = [
    // enable (no replace): state 1 kept, state 2 introduced
    .init(testDescription: "enable: kept + introduced, success",
          base: [.init(number: 1, states: "1")], transition: .enable(.init(number: 2, states: "1,2")),
          outcome: .success, callbacks: [(2, 2, "pre_patch"), (2, 2, "post_patch")], inForce: [1, 2]),
    .init(testDescription: "enable: kept + introduced, failure",
          base: [.init(number: 1, states: "1")], transition: .enable(.init(number: 2, states: "1,2,3f")),
          outcome: .failure, callbacks: [(2, 2, "pre_patch"), (2, 3, "pre_patch"), (2, 2, "post_unpatch")],
          inForce: [1]),
    .init(testDescription: "enable: kept + introduced, reversal",
          base: [.init(number: 1, states: "1")],
          transition: .enable(.init(number: 2, states: "1,2", hold: true)),
          outcome: .reversal, callbacks: [(2, 2, "pre_patch"), (2, 2, "post_unpatch")], inForce: [1]),
    // replace: state 2 kept, state 3 introduced, state 1 removed
    .init(testDescription: "replace: kept + introduced + removed, success",
          base: [.init(number: 1, states: "1,2")],
          transition: .enable(.init(number: 2, states: "2,3", replace: true)), outcome: .success,
          callbacks: [(2, 3, "pre_patch"), (1, 1, "pre_unpatch"), (1, 1, "post_unpatch"), (2, 3, "post_patch")],
          inForce: [2, 3]),
    .init(testDescription: "replace: kept + introduced + removed, failure",
          base: [.init(number: 1, states: "1,2")],
          transition: .enable(.init(number: 2, states: "2,3f", replace: true)), outcome: .failure,
          callbacks: [(2, 3, "pre_patch")], inForce: [1, 2]),
    .init(testDescription: "replace: kept + introduced + removed, reversal",
          base: [.init(number: 1, states: "1,2")],
          transition: .enable(.init(number: 2, states: "2,3", replace: true, hold: true)), outcome: .reversal,
          callbacks: [(2, 3, "pre_patch"), (1, 1, "pre_unpatch"), (2, 3, "post_unpatch"), (1, 1, "post_patch")],
          inForce: [1, 2]),
    // disable: state 1 removed, state 2 kept (another patch supports it)
    .init(testDescription: "disable: removed + kept, success",
          base: [.init(number: 1, states: "1,2", hold: true), .init(number: 2, states: "2")],
          transition: .disable(1), outcome: .success,
          callbacks: [(1, 1, "pre_unpatch"), (1, 1, "post_unpatch")], inForce: [2]),
    .init(testDescription: "disable: removed + kept, reversal",
          base: [.init(number: 1, states: "1,2", hold: true), .init(number: 2, states: "2")],
          transition: .disable(1), outcome: .reversal,
          callbacks: [(1, 1, "pre_unpatch"), (1, 1, "post_patch")], inForce: [1, 2]),
    .init(testDescription: "disable: block_disable + kept, refused (orphan)",
          base: [.init(number: 1, states: "1b,2"), .init(number: 2, states: "2")],
          transition: .disable(1), outcome: .failure, callbacks: [], inForce: [1, 2],
          adopter: .init(number: 3, states: "1")),
]

private func callLine(_ owner: Int, _ id: UInt64, _ callback: String) -> String {
    let name = VirtualPatches.name(owner)
    return "\(name): state \(id): \(callback) by \(name) (enabled=0 own=1)"
}

extension InVM {
    /// Every transition kind × what it does to a state (kept, introduced,
    /// removed) × how it ends (success, failure, reversal), each reading
    /// back the exact callback sequence and the states in force after.
    @Suite("transition matrix")
    struct StateMatrixTests {
        @Test("callbacks and states of one transition", .inKlpsvVM, arguments: matrix)
        func transition(_ cell: TransitionCase) throws {
            try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                for patch in cell.base {
                    #expect(try patches.load(patch.number, states: patch.states, replace: patch.replace,
                                             hold: patch.hold) == nil)
                }
                _ = try callbacks.next()

                switch (cell.transition, cell.outcome) {
                case (.enable(let patch), .success):
                    #expect(try patches.load(patch.number, states: patch.states, replace: patch.replace) == nil)
                case (.enable(let patch), .failure):
                    #expect(try patches.load(patch.number, states: patch.states, replace: patch.replace) != nil)
                case (.enable(let patch), .reversal):
                    try session.hooks.hold()
                    #expect(try patches.load(patch.number, states: patch.states, replace: patch.replace,
                                             hold: true, wait: false) == nil)
                    #expect(try patches.inTransition(patch.number))
                    try patches.setEnabled(patch.number, false, wait: false)
                    try session.hooks.release()
                    try patches.waitForTransition(patch.number)
                case (.disable(let number), .success), (.disable(let number), .failure):
                    try patches.setEnabled(number, false)
                case (.disable(let number), .reversal):
                    try session.hooks.hold()
                    try patches.setEnabled(number, false, wait: false)
                    #expect(try patches.inTransition(number))
                    try patches.setEnabled(number, true, wait: false)
                    try session.hooks.release()
                    try patches.waitForTransition(number)
                }

                let lines = try callbacks.next().filter { !$0.contains("shadow_dtor") }
                #expect(lines == cell.callbacks.map { callLine($0.0, $0.1, $0.2) })
                let inForce = Set(try session.debugfs.states().rows.filter { $0.phase == .inForce }.map(\.id))
                #expect(inForce == cell.inForce)
                if let adopter = cell.adopter {
                    #expect(try patches.load(adopter.number, states: adopter.states) == nil)
                }
            }
        }
    }
}
