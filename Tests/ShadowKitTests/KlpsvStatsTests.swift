import ShadowKit
import Testing

@Suite("klpsv stats parser")
struct KlpsvStatsTests {
    static let documented = """
        id        live     bytes    allocs     frees    memory variables     table   pending
        1            2       128         3         1      1200       176      1024         0
        7            0         0         1         1      1056         0      1024        32
        total        2       128         4         2      2256       176      2048        32

        """

    /// The memory columns of an id that holds nothing, to append to a line.
    static let noMemory = "0 0 0 0"
    /// The memory columns' header, to append to a header line.
    static let memoryHeader = "memory variables table pending"

    @Test func parsesTheDocumentedExample() throws {
        let stats = try KlpsvStats(parsing: Self.documented)
        #expect(stats.rows == [
            .init(id: 1, counters: .init(live: 2, bytes: 128, allocs: 3, frees: 1),
                  memory: .init(variables: 176, table: 1024, pending: 0)),
            .init(id: 7, counters: .init(live: 0, bytes: 0, allocs: 1, frees: 1),
                  memory: .init(variables: 0, table: 1024, pending: 32)),
        ])
        #expect(stats.total == .init(live: 2, bytes: 128, allocs: 4, frees: 2))
        #expect(stats[id: 1].live == 2)
    }

    @Test func parsesTheExampleOfDocsDebugfs() throws {
        let stats = try KlpsvStats(parsing: """
            id        live     bytes    allocs     frees lifetime      slots       used         memory      variables          table        pending
            1            2       128         3         1    state         64          3           1400            288            600            512
            7            0         0         1         1   manual         64          1            600              0            600              0
            total        2       128         4         2        -        128          4           2000            288           1200            512
            """)
        #expect(stats.memory(of: 1) == .init(variables: 288, table: 600, pending: 512))
        #expect(stats.memory(of: 7)?.total == 600)
        #expect(stats.totalMemory.total == 2000)
        #expect(stats.lifetime(of: 7) == .manual)
    }

    @Test func readsTheMemoryOfEachIdAndOfAll() throws {
        let stats = try KlpsvStats(parsing: Self.documented)
        #expect(stats.memory(of: 1) == .init(variables: 176, table: 1024, pending: 0))
        #expect(stats.memory(of: 1)?.total == 1200)
        #expect(stats.memory(of: 7)?.pending == 32)
        #expect(stats.memory(of: 2) == nil, "an id never seen")
        #expect(stats.totalMemory == .init(variables: 176, table: 2048, pending: 32))
        #expect(stats.totalMemory.total == 2256)
        #expect(stats.memory(of: 1)! + stats.memory(of: 7)! == stats.totalMemory)
    }

    @Test func theMemoryColumnsAreRequired() {
        for missing in ["memory", "variables", "table", "pending"] {
            let header = Self.memoryHeader.split(separator: " ").filter { $0 != missing }.joined(separator: " ")
            let error = #expect(throws: MalformedOutput.self) {
                try KlpsvStats(parsing: "id live bytes allocs frees \(header)\ntotal 0 0 0 0 0 0 0\n")
            }
            #expect(error?.reason == "no '\(missing)' column")
        }
    }

    @Test("memory must be variables + table + pending", arguments: [
        "1 1 8 1 0 100 32 64 0", "1 1 8 1 0 96 32 64 1", "1 1 8 1 0 0 18446744073709551615 1 0",
    ])
    func memoryIsTheSumOfItsParts(line: String) {
        let error = #expect(throws: MalformedOutput.self) {
            try KlpsvStats(parsing: """
                id live bytes allocs frees \(Self.memoryHeader)
                \(line)
                total 1 8 1 0 96 32 64 0
                """)
        }
        #expect(error?.reason == "'memory' is not variables + table + pending")
        #expect(error?.line == 2)
    }

    @Test func aTotalLineWhoseMemoryIsNotItsSumIsRefused() {
        let error = #expect(throws: MalformedOutput.self) {
            try KlpsvStats(parsing: "id live bytes allocs frees \(Self.memoryHeader)\ntotal 1 8 1 0 97 32 64 0\n")
        }
        #expect(error?.description == "malformed klpsv stats, line 2: 'memory' is not variables + table + pending: "
            + "'total 1 8 1 0 97 32 64 0'")
    }

    @Test func readsTheSlotsOfEachTableAndTheirSum() throws {
        let stats = try KlpsvStats(parsing: """
            id        live     bytes    allocs     frees lifetime      slots    memory variables     table   pending
            1            2       128         3         1    state         64      1200       176      1024         0
            3         3000     24000      3000         0   manual       8192    227072     96000    131072         0
            total     3002     24128      3003         1        -       8256    228272     96176    132096         0
            """)
        #expect(stats.slots(of: 1) == 64)
        #expect(stats.slots(of: 3) == 8192)
        #expect(stats.slots(of: 2) == nil, "an id never seen")
        #expect(stats.totalSlots == 8256)
        #expect(try KlpsvStats(parsing: Self.documented).totalSlots == nil, "no slots column")
        #expect(throws: MalformedOutput.self) {
            try KlpsvStats(parsing: """
                id live bytes allocs frees slots \(Self.memoryHeader)
                1 0 0 0 0 many \(Self.noMemory)
                total 0 0 0 0 64 \(Self.noMemory)
                """)
        }
    }

    @Test func readsTheTakenSlotsOfEachTableAndTheirSum() throws {
        let stats = try KlpsvStats(parsing: """
            id        live     bytes    allocs     frees lifetime      slots       used    memory variables     table   pending
            1            2       128         3         1    state         64          3      1200       176      1024         0
            3         3000     24000      3000         0   manual       8192       3000    227072     96000    131072         0
            total     3002     24128      3003         1        -       8256       3003    228272     96176    132096         0
            """)
        #expect(stats.used(of: 1) == 3)
        #expect(stats.used(of: 3) == 3000)
        #expect(stats.used(of: 2) == nil, "an id never seen")
        #expect(stats.totalUsed == 3003)
        #expect(try KlpsvStats(parsing: Self.documented).totalUsed == nil, "no used column")
        #expect(throws: MalformedOutput.self) {
            try KlpsvStats(parsing: """
                id live bytes allocs frees used \(Self.memoryHeader)
                1 0 0 0 0 -1 \(Self.noMemory)
                total 0 0 0 0 0 \(Self.noMemory)
                """)
        }
    }

    @Test func anIDNeverSeenHasZeroCounters() throws {
        let stats = try KlpsvStats(parsing: Self.documented)
        #expect(stats[id: 99] == .zero)
    }

    @Test func findsColumnsByHeaderNameAndIgnoresNewOnes() throws {
        let stats = try KlpsvStats(parsing: """
            id pending frees allocs peak table bytes memory live variables
            3 8 1 4 9 1024 64 1128 3 96
            total 8 1 4 9 1024 64 1128 3 96
            """)
        #expect(stats[id: 3] == .init(live: 3, bytes: 64, allocs: 4, frees: 1))
        #expect(stats.memory(of: 3) == .init(variables: 96, table: 1024, pending: 8))
    }

    @Test func anEmptyStoreHasOnlyTheTotal() throws {
        let stats = try KlpsvStats(parsing: """
            id live bytes allocs frees \(Self.memoryHeader)
            total 0 0 0 0 \(Self.noMemory)
            """)
        #expect(stats.rows.isEmpty)
        #expect(stats.total == .zero)
        #expect(stats.totalMemory == .zero)
    }

    @Test func acceptsTheLargestUnsignedLongID() throws {
        let stats = try KlpsvStats(parsing: """
            id live bytes allocs frees \(Self.memoryHeader)
            18446744073709551615 1 8 1 0 \(Self.noMemory)
            total 1 8 1 0 \(Self.noMemory)
            """)
        #expect(stats.rows.first?.id == UInt64.max)
    }

    @Test(arguments: [
        ("", "no header line"),
        ("id live bytes allocs memory variables table pending\ntotal 0 0 0 0 0 0 0\n", "no 'frees' column"),
        ("id live bytes allocs frees memory variables table pending\n1 0 0 0 0 0 0 0 0\n", "no 'total' line"),
        ("id live bytes allocs frees memory variables table pending\n1 0 0 0 0 0 0 0\ntotal 0 0 0 0 0 0 0 0\n",
         "expected 9 columns, got 8"),
        ("id live bytes allocs frees memory variables table pending\n1 x 0 0 0 0 0 0 0\ntotal 0 0 0 0 0 0 0 0\n",
         "'live' is not a number"),
        ("id live bytes allocs frees memory variables table pending\n-1 0 0 0 0 0 0 0 0\ntotal 0 0 0 0 0 0 0 0\n",
         "'id' is not a number"),
        ("id live bytes allocs frees memory variables table pending\n1 0 0 0 0 0 0 -8 0\ntotal 0 0 0 0 0 0 0 0\n",
         "'table' is not a number"),
        ("id live bytes allocs frees\n1 0 0 0 0\ntotal 0 0 0 0\n", "no 'memory' column"),
    ])
    func refusesMalformedText(text: String, reason: String) {
        let error = #expect(throws: MalformedOutput.self) { try KlpsvStats(parsing: text) }
        #expect(error?.reason == reason)
        #expect(error?.source == "klpsv stats")
    }

    @Test func errorsNameTheLine() {
        let error = #expect(throws: MalformedOutput.self) {
            try KlpsvStats(parsing: """
                id live bytes allocs frees \(Self.memoryHeader)
                1 0 0 0 0 \(Self.noMemory)
                2 0 zero 0 0 \(Self.noMemory)
                total 0 0 0 0 \(Self.noMemory)
                """)
        }
        #expect(error?.description == "malformed klpsv stats, line 3: 'bytes' is not a number: '2 0 zero 0 0 0 0 0 0'")
    }
}
