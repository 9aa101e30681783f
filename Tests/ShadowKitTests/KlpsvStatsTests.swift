import ShadowKit
import Testing

@Suite("klpsv stats parser")
struct KlpsvStatsTests {
    static let documented = """
        id        live     bytes    allocs     frees
        1            2       128         3         1
        7            0         0         1         1
        total        2       128         4         2

        """

    @Test func parsesTheDocumentedExample() throws {
        let stats = try KlpsvStats(parsing: Self.documented)
        #expect(stats.rows == [
            .init(id: 1, counters: .init(live: 2, bytes: 128, allocs: 3, frees: 1)),
            .init(id: 7, counters: .init(live: 0, bytes: 0, allocs: 1, frees: 1)),
        ])
        #expect(stats.total == .init(live: 2, bytes: 128, allocs: 4, frees: 2))
        #expect(stats[id: 1].live == 2)
    }

    @Test func readsTheSlotsOfEachTableAndTheirSum() throws {
        let stats = try KlpsvStats(parsing: """
            id        live     bytes    allocs     frees lifetime      slots
            1            2       128         3         1    state         64
            3         3000     24000      3000         0   manual       8192
            total     3002     24128      3003         1        -       8256
            """)
        #expect(stats.slots(of: 1) == 64)
        #expect(stats.slots(of: 3) == 8192)
        #expect(stats.slots(of: 2) == nil, "an id never seen")
        #expect(stats.totalSlots == 8256)
        #expect(try KlpsvStats(parsing: Self.documented).totalSlots == nil, "no slots column")
        #expect(throws: MalformedOutput.self) {
            try KlpsvStats(parsing: "id live bytes allocs frees slots\n1 0 0 0 0 many\ntotal 0 0 0 0 64\n")
        }
    }

    @Test func readsTheTakenSlotsOfEachTableAndTheirSum() throws {
        let stats = try KlpsvStats(parsing: """
            id        live     bytes    allocs     frees lifetime      slots       used
            1            2       128         3         1    state         64          3
            3         3000     24000      3000         0   manual       8192       3000
            total     3002     24128      3003         1        -       8256       3003
            """)
        #expect(stats.used(of: 1) == 3)
        #expect(stats.used(of: 3) == 3000)
        #expect(stats.used(of: 2) == nil, "an id never seen")
        #expect(stats.totalUsed == 3003)
        #expect(try KlpsvStats(parsing: Self.documented).totalUsed == nil, "no used column")
        #expect(throws: MalformedOutput.self) {
            try KlpsvStats(parsing: "id live bytes allocs frees used\n1 0 0 0 0 -1\ntotal 0 0 0 0 0\n")
        }
    }

    @Test func anIDNeverSeenHasZeroCounters() throws {
        let stats = try KlpsvStats(parsing: Self.documented)
        #expect(stats[id: 99] == .zero)
    }

    @Test func findsColumnsByHeaderNameAndIgnoresNewOnes() throws {
        let stats = try KlpsvStats(parsing: """
            id frees allocs peak bytes live
            3 1 4 9 64 3
            total 1 4 9 64 3
            """)
        #expect(stats[id: 3] == .init(live: 3, bytes: 64, allocs: 4, frees: 1))
    }

    @Test func anEmptyStoreHasOnlyTheTotal() throws {
        let stats = try KlpsvStats(parsing: "id live bytes allocs frees\ntotal 0 0 0 0\n")
        #expect(stats.rows.isEmpty)
        #expect(stats.total == .zero)
    }

    @Test func acceptsTheLargestUnsignedLongID() throws {
        let stats = try KlpsvStats(parsing: "id live bytes allocs frees\n18446744073709551615 1 8 1 0\ntotal 1 8 1 0\n")
        #expect(stats.rows.first?.id == UInt64.max)
    }

    @Test(arguments: [
        ("", "no header line"),
        ("id live bytes allocs\ntotal 0 0 0\n", "no 'frees' column"),
        ("id live bytes allocs frees\n1 0 0 0 0\n", "no 'total' line"),
        ("id live bytes allocs frees\n1 0 0 0\ntotal 0 0 0 0\n", "expected 5 columns, got 4"),
        ("id live bytes allocs frees\n1 x 0 0 0\ntotal 0 0 0 0\n", "'live' is not a number"),
        ("id live bytes allocs frees\n-1 0 0 0 0\ntotal 0 0 0 0\n", "'id' is not a number"),
    ])
    func refusesMalformedText(text: String, reason: String) {
        let error = #expect(throws: MalformedOutput.self) { try KlpsvStats(parsing: text) }
        #expect(error?.reason == reason)
        #expect(error?.source == "klpsv stats")
    }

    @Test func errorsNameTheLine() {
        let error = #expect(throws: MalformedOutput.self) {
            try KlpsvStats(parsing: "id live bytes allocs frees\n1 0 0 0 0\n2 0 zero 0 0\ntotal 0 0 0 0\n")
        }
        #expect(error?.description == "malformed klpsv stats, line 3: 'bytes' is not a number: '2 0 zero 0 0'")
    }
}
