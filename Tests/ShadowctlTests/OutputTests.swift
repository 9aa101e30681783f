import Testing

/// What shadowctl prints for klpsv's debugfs files, on a fake debugfs root.
@Suite("shadowctl output")
struct OutputTests {
    static let files = [
        "klpsv/stats": """
            id        live     bytes    allocs     frees    memory variables     table   pending
            1            2       128         3         1      1200       176      1024         0
            7            0         0         1         1       512         0         0       512
            4294967296   1      4096         1         0   1052672      4120   1048552         0
            total        3      4224         5         2   1054384      4296   1049576       512

            """,
        "klpsv/shadows": """
            id obj size
            1 00000000c0ffee12 64
            1 null 64
            4294967296 00000000deadbeef 4096
            # truncated: 2 more

            """,
    ]

    @Test func statsIsATable() throws {
        let debugfs = try FakeDebugfs(Self.files)
        defer { debugfs.remove() }
        let outcome = try ShadowctlRunner.run(["stats"], debugfs: debugfs.path)
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == """
            id          live  bytes  allocs  frees   memory
            1              2    128       3      1  1.2 KiB
            7              0      0       1      1    512 B
            4294967296     1   4096       1      0  1.0 MiB
            total          3   4224       5      2  1.0 MiB

            """)
    }

    @Test func statsShowsWhoFreesEachId() throws {
        let debugfs = try FakeDebugfs(["klpsv/stats": """
            id        live     bytes    allocs     frees lifetime    memory variables     table   pending
            1            2       128         3         1 state          1200       176      1024         0
            2            1         8         1         0 manual         1056        32      1024         0
            total        3       136         4         1 -              2256       208      2048         0

            """])
        defer { debugfs.remove() }
        let text = try ShadowctlRunner.run(["stats"], debugfs: debugfs.path)
        #expect(text.standardOutput == """
            id     live  bytes  allocs  frees  lifetime   memory
            1         2    128       3      1  state     1.2 KiB
            2         1      8       1      0  manual    1.0 KiB
            total     3    136       4      1            2.2 KiB

            """)
        let json = try ShadowctlRunner.run(["stats", "--json"], debugfs: debugfs.path)
        #expect(json.standardOutput.hasPrefix("""
            {"ids":[{"allocs":3,"bytes":128,"frees":1,"id":1,"lifetime":"state","live":2,"memory":1200,\
            "pendingMemory":0,"tableMemory":1024,"variableMemory":176},
            """))
    }

    @Test func statsShowsTheSlotsOfEachTable() throws {
        let debugfs = try FakeDebugfs(["klpsv/stats": """
            id        live     bytes    allocs     frees lifetime      slots    memory variables     table   pending
            1            2       128         3         1    state         64      1200       176      1024         0
            5         3000     24000      3000         0   manual       8192    227072     96000    131072         0
            total     3002     24128      3003         1        -       8256    228272     96176    132096         0

            """])
        defer { debugfs.remove() }
        let text = try ShadowctlRunner.run(["stats"], debugfs: debugfs.path)
        #expect(text.standardOutput == """
            id     live  bytes  allocs  frees  lifetime  slots     memory
            1         2    128       3      1  state        64    1.2 KiB
            5      3000  24000    3000      0  manual     8192  221.8 KiB
            total  3002  24128    3003      1             8256  222.9 KiB

            """)
        let json = try ShadowctlRunner.run(["stats", "--json"], debugfs: debugfs.path)
        #expect(json.standardOutput.hasPrefix("""
            {"ids":[{"allocs":3,"bytes":128,"frees":1,"id":1,"lifetime":"state","live":2,"memory":1200,\
            "pendingMemory":0,"slots":64,"tableMemory":1024,"variableMemory":176},
            """))
        #expect(json.standardOutput.contains(#""slots":8256,"tableMemory":132096,"total":"#))
    }

    @Test func statsShowsTheTakenSlotsOfEachTable() throws {
        let debugfs = try FakeDebugfs(["klpsv/stats": """
            id        live     bytes    allocs     frees lifetime      slots       used    memory variables     table   pending
            1            2       128         3         1    state         64          3      1200       176      1024         0
            5         3000     24000      3000         0   manual       8192       3000    227072     96000    131072         0
            total     3002     24128      3003         1        -       8256       3003    228272     96176    132096         0

            """])
        defer { debugfs.remove() }
        let text = try ShadowctlRunner.run(["stats"], debugfs: debugfs.path)
        #expect(text.standardOutput == """
            id     live  bytes  allocs  frees  lifetime  slots  used     memory
            1         2    128       3      1  state        64     3    1.2 KiB
            5      3000  24000    3000      0  manual     8192  3000  221.8 KiB
            total  3002  24128    3003      1             8256  3003  222.9 KiB

            """)
        let json = try ShadowctlRunner.run(["stats", "--json"], debugfs: debugfs.path)
        #expect(json.standardOutput.hasPrefix("""
            {"ids":[{"allocs":3,"bytes":128,"frees":1,"id":1,"lifetime":"state","live":2,"memory":1200,\
            "pendingMemory":0,"slots":64,"tableMemory":1024,"used":3,"variableMemory":176},
            """))
        #expect(json.standardOutput.contains(#""slots":8256,"tableMemory":132096,"total":"#))
        #expect(json.standardOutput.contains(#""used":3003,"variableMemory":96176}"#))
    }

    @Test func statsAsJSON() throws {
        let debugfs = try FakeDebugfs(Self.files)
        defer { debugfs.remove() }
        let outcome = try ShadowctlRunner.run(["stats", "--json"], debugfs: debugfs.path)
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == """
            {"ids":[{"allocs":3,"bytes":128,"frees":1,"id":1,"live":2,\
            "memory":1200,"pendingMemory":0,"tableMemory":1024,"variableMemory":176},\
            {"allocs":1,"bytes":0,"frees":1,"id":7,"live":0,\
            "memory":512,"pendingMemory":512,"tableMemory":0,"variableMemory":0},\
            {"allocs":1,"bytes":4096,"frees":0,"id":4294967296,"live":1,\
            "memory":1052672,"pendingMemory":0,"tableMemory":1048552,"variableMemory":4120}],\
            "memory":1054384,"pendingMemory":512,"tableMemory":1049576,\
            "total":{"allocs":5,"bytes":4224,"frees":2,"live":3},"variableMemory":4296}

            """)
    }

    @Test func listShowsTruncation() throws {
        let debugfs = try FakeDebugfs(Self.files)
        defer { debugfs.remove() }
        let outcome = try ShadowctlRunner.run(["list"], debugfs: debugfs.path)
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == """
            id          obj               size
            1           00000000c0ffee12    64
            1           null                64
            4294967296  00000000deadbeef  4096
            … 2 more not listed (klpsv's list_max)

            """)
    }

    @Test func listAsJSONHasNullForGlobalShadows() throws {
        let debugfs = try FakeDebugfs(Self.files)
        defer { debugfs.remove() }
        let outcome = try ShadowctlRunner.run(["list", "--json"], debugfs: debugfs.path)
        #expect(outcome.standardOutput == """
            {"shadows":[{"id":1,"obj":"00000000c0ffee12","size":64},{"id":1,"obj":null,"size":64},\
            {"id":4294967296,"obj":"00000000deadbeef","size":4096}],"truncated":2}

            """)
    }

    @Test func anEmptyStoreListsNoShadows() throws {
        let debugfs = try FakeDebugfs(["klpsv/shadows": "id obj size\n"])
        defer { debugfs.remove() }
        #expect(try ShadowctlRunner.run(["list"], debugfs: debugfs.path).standardOutput == "no live shadows\n")
    }

    @Test func statusReportsDebugfsAndTotals() throws {
        let debugfs = try FakeDebugfs(Self.files)
        defer { debugfs.remove() }
        let lines = try ShadowctlRunner.run(["status"], debugfs: debugfs.path).standardOutput
            .split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.contains("debugfs     \(debugfs.path) (from KLPSV_DEBUGFS, mount not checked)"))
        #expect(lines.contains("hooks       not available"))
        #expect(lines.contains("shadows     3 live (4224 bytes); 5 allocated, 2 freed since load"))
    }
}
