import ShadowKit
import Testing

@Suite("klpsv states and patches parsers")
struct KlpsvStatesTests {
    @Test func parsesTheDocumentedStates() throws {
        let states = try KlpsvStates(parsing: """
            id state flags enabled shadows patches
            1 in-force shadow yes 3 klpsv_fix1,klpsv_fix2
            2 removed - no 0 -
            5 in-force shadow+block yes 0 klpsv_block

            """)
        #expect(states.rows == [
            .init(id: 1, phase: .inForce, flags: .init(isShadow: true), enabled: true, shadows: 3,
                  patches: ["klpsv_fix1", "klpsv_fix2"]),
            .init(id: 2, phase: .removed, enabled: false),
            .init(id: 5, phase: .inForce, flags: .init(isShadow: true, blockDisable: true), enabled: true,
                  patches: ["klpsv_block"]),
        ])
        #expect(states[id: 2]?.phase == .removed)
        #expect(states[id: 9] == nil)
    }

    @Test func parsesTheDocumentedPatches() throws {
        let patches = try KlpsvPatches(parsing: """
            patch phase replace states
            klpsv_fix2 enabled yes 1:shadow,2:-
            klpsv_block orphan no 7:block
            klpsv_empty registered no -

            """)
        #expect(patches.rows == [
            .init(name: "klpsv_fix2", phase: .enabled, replace: true,
                  states: [.init(id: 1, flags: .init(isShadow: true)), .init(id: 2)]),
            .init(name: "klpsv_block", phase: .orphan, replace: false,
                  states: [.init(id: 7, flags: .init(blockDisable: true))]),
            .init(name: "klpsv_empty", phase: .registered, replace: false),
        ])
    }

    @Test("malformed files are refused", arguments: [
        "id state flags enabled shadows patches\n1 gone - no 0 -\n",
        "id state flags enabled shadows patches\n1 in-force shadow+shadow yes 0 -\n",
        "id state flags enabled shadows patches\n1 in-force - maybe 0 -\n",
        "id state flags enabled shadows patches\nx in-force - no 0 -\n",
        "id state flags enabled shadows\n1 in-force - no 0\n",
    ])
    func malformedStates(text: String) {
        #expect(throws: MalformedOutput.self) { try KlpsvStates(parsing: text) }
    }

    @Test("malformed patches are refused", arguments: [
        "patch phase replace states\np asleep no -\n",
        "patch phase replace states\np enabled perhaps -\n",
        "patch phase replace states\np enabled no 1\n",
        "patch phase replace states\np enabled no x:shadow\n",
        "patch phase replace states\np enabled no 1:wings\n",
    ])
    func malformedPatches(text: String) {
        #expect(throws: MalformedOutput.self) { try KlpsvPatches(parsing: text) }
    }

    @Test func flagsRoundTrip() throws {
        for text in ["-", "shadow", "block", "shadow+block"] {
            #expect(try #require(StateFlags(parsing: Substring(text))).description == text)
        }
        #expect(StateFlags(parsing: "block+shadow") == StateFlags(isShadow: true, blockDisable: true))
        #expect(StateFlags(parsing: "") == nil)
        #expect(StateFlags(parsing: "shadow+") == nil)
    }
}
