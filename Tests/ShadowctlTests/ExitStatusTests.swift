import Testing

/// Exit statuses and error messages, as documented in `shadowctl --help`.
@Suite("shadowctl exit statuses")
struct ExitStatusTests {
    @Test(arguments: [
        (["get", "a", "12x"], "shadowctl: invalid id '12x': expected an unsigned decimal or 0x hex number"),
        (["free", "a", "0x"], "shadowctl: invalid id '0x': expected an unsigned decimal or 0x hex number"),
        (["alloc", "a", "1", "1048577"],
         "shadowctl: invalid size '1048577': expected a decimal or 0x hex number from 0 to 1048576"),
        (["obj", "new", "a b"],
         "shadowctl: invalid object name 'a b': expected 1 to 31 characters of A-Z a-z 0-9 _ . -"),
        (["obj", "new", "null"], "shadowctl: invalid object name 'null': the word means the NULL object"),
        (["alloc", "no/slash", "1", "8"],
         "shadowctl: invalid object name 'no/slash': expected 1 to 31 characters of A-Z a-z 0-9 _ . -"),
        (["alloc", "a", "1", "8", "--ctor", "zero"], "shadowctl: The value 'zero' is invalid for '--ctor <mode>'"),
        (["alloc", "a", "1", "8", "--ctor", "fill:256"],
         "shadowctl: The value 'fill:256' is invalid for '--ctor <mode>'"),
        (["get-or-alloc", "a", "1", "8", "--gfp", "nowait"],
         "shadowctl: The value 'nowait' is invalid for '--gfp <mode>'. "
            + "Please provide one of 'kernel', 'atomic', 'irqoff' or 'hardirq'."),
        (["free", "a", "1", "--dtor", "maybe"],
         "shadowctl: The value 'maybe' is invalid for '--dtor <mode>'. Please provide one of 'count' and 'none'."),
        // Read by ArgumentParser as an unknown option -1, then "Missing expected argument '<size>'".
        (["alloc", "sta1", "-1", "64"], "shadowctl: Invalid number '-1': ids, sizes and counts are unsigned"),
        (["race", "1", "--threads", "-2"], "shadowctl: Invalid number '-2': ids, sizes and counts are unsigned"),
        (["race", "1", "--threads", "9"],
         "shadowctl: invalid thread count '9': expected a decimal or 0x hex number from 1 to 8"),
        (["load", "list_max"], "shadowctl: invalid module parameter 'list_max': expected NAME=VALUE"),
        // Read by ArgumentParser as -h -o -o -k -s: help, status 0, before.
        (["load", "-hooks"], "shadowctl: Unknown option '-hooks'"),
        (["patch", "load", "fix", "-xh"], "shadowctl: Unknown option '-xh'"),
    ])
    func badArgumentsAreUsageErrors(arguments: [String], message: String) throws {
        let outcome = try ShadowctlRunner.run(arguments, debugfs: "/nonexistent")
        #expect(outcome.status == 2)
        #expect(outcome.standardOutput == "")
        #expect(outcome.standardError.hasPrefix(message + "\n"))
        #expect(outcome.standardError.contains("\nUsage: shadowctl "))
    }

    @Test func theUsageOfTheFailingCommandIsShown() throws {
        let outcome = try ShadowctlRunner.run(["get", "a", "12x"])
        #expect(outcome.standardError == """
            shadowctl: invalid id '12x': expected an unsigned decimal or 0x hex number
            Usage: shadowctl get <obj> <id> [--len <bytes>] [--json]
              See 'shadowctl get --help' for more information.

            """)
    }

    @Test(arguments: [["frobnicate"], ["get", "a"], ["alloc", "a", "1", "8", "--bogus"], ["obj"]])
    func parseErrorsAreUsageErrors(arguments: [String]) throws {
        let outcome = try ShadowctlRunner.run(arguments)
        #expect(outcome.status == (arguments == ["obj"] ? 0 : 2))
    }

    @Test(arguments: [["stats"], ["list"], ["states"]])
    func klpsvNotLoadedIsUnavailable(arguments: [String]) throws {
        let debugfs = try FakeDebugfs()
        defer { debugfs.remove() }
        let outcome = try ShadowctlRunner.run(arguments, debugfs: debugfs.path)
        #expect(outcome.status == 4)
        #expect(outcome.standardOutput == "")
        #expect(outcome.standardError == "shadowctl: klpsv is not loaded (no \(debugfs.path)/klpsv)\n")
    }

    @Test(arguments: [["get", "a", "1"], ["alloc", "null", "1", "8"], ["obj", "list"], ["free-all", "1"]])
    func hooksNotLoadedIsUnavailable(arguments: [String]) throws {
        let debugfs = try FakeDebugfs([
            "klpsv/stats": "id live bytes allocs frees memory variables table pending\ntotal 0 0 0 0 0 0 0 0\n",
        ])
        defer { debugfs.remove() }
        let outcome = try ShadowctlRunner.run(arguments, debugfs: debugfs.path)
        #expect(outcome.status == 4)
        #expect(outcome.standardError == "shadowctl: klpsv_test is not loaded (no \(debugfs.path)/klpsv_test)\n")
    }

    @Test func malformedKernelOutputIsAFailure() throws {
        let debugfs = try FakeDebugfs(["klpsv/stats": "id live\n1 2\n"])
        defer { debugfs.remove() }
        let outcome = try ShadowctlRunner.run(["stats"], debugfs: debugfs.path)
        #expect(outcome.status == 1)
        #expect(outcome.standardError == "shadowctl: malformed klpsv stats, line 1: no 'bytes' column: 'id live'\n")
    }

    @Test func statsWithoutTheMemoryColumnsIsAFailure() throws {
        let debugfs = try FakeDebugfs(["klpsv/stats": "id live bytes allocs frees\n1 1 8 1 0\ntotal 1 8 1 0\n"])
        defer { debugfs.remove() }
        let outcome = try ShadowctlRunner.run(["stats"], debugfs: debugfs.path)
        #expect(outcome.status == 1)
        #expect(outcome.standardError
            == "shadowctl: malformed klpsv stats, line 1: no 'memory' column: 'id live bytes allocs frees'\n")
    }

    @Test func loadWithoutModulesSaysWhereItLooked() throws {
        let outcome = try ShadowctlRunner.run(["load", "--dir", "/nonexistent"])
        #expect(outcome.status == 5)
        #expect(outcome.standardError == "shadowctl: could not load klpsv from /nonexistent/klpsv.ko: "
            + "Module file not found (No such file or directory)\n")
    }
}
