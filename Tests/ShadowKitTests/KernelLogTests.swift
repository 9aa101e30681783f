import ShadowKit
import SystemPackage
import Testing

@Suite("kernel log")
struct KernelLogTests {
    @Test func parsesAKmsgRecord() throws {
        let record = try KernelLogRecord(parsing: "4,1234,5678901,-;klpsv: alloc <obj, 1> already exists\n")
        #expect(record == KernelLogRecord(level: 4, facility: 0, sequence: 1234, timestamp: 5_678_901,
                                          message: "klpsv: alloc <obj, 1> already exists"))
    }

    @Test func dropsDictionaryLinesAndExtraPrefixFields() throws {
        let record = try KernelLogRecord(parsing: "14,7,99,c,caller=T12;hello\n SUBSYSTEM=virtio\n DEVICE=+virtio:1\n")
        #expect(record.facility == 1)
        #expect(record.level == 6)
        #expect(record.isContinuation)
        #expect(record.message == "hello")
    }

    @Test func decodesEscapes() throws {
        let record = try KernelLogRecord(parsing: "6,1,1,-;a\\x09b\\x5cc \\xzz\n")
        #expect(record.message == "a\tb\\c \\xzz")
    }

    @Test(arguments: ["no semicolon", "6,1,-;short prefix", "x,1,1,-;bad priority", "6,1,ts,-;bad time"])
    func refusesMalformedRecords(text: String) {
        #expect(throws: MalformedOutput.self) { try KernelLogRecord(parsing: text) }
    }

    @Test(arguments: [
        "WARNING: CPU: 0 PID: 42 at kernel/livepatch/shadow.c:123 klpsv_shadow_alloc+0x1/0x2",
        "BUG: kernel NULL pointer dereference, address: 0000000000000008",
        "Oops: 0002 [#1] PREEMPT SMP",
        "general protection fault, probably for non-canonical address 0xdead000000000100",
        "kmem_cache_destroy klpsv_shadow: Slab cache still has objects when called from klpsv_exit",
        "BUG klpsv_shadow (Tainted: G O): Objects remaining in klpsv_shadow on __kmem_cache_shutdown()",
        "rcu: INFO: rcu_preempt self-detected stall on CPU",
        "rcu: INFO: rcu_sched detected stalls on CPUs/tasks:",
        "watchdog: Watchdog detected hard LOCKUP on cpu 1",
        "Call Trace:",
        "UBSAN: shift-out-of-bounds in kmod/klpsv/store.c:10:3",
        "kmemleak: 3 new suspected memory leaks (see /sys/kernel/debug/kmemleak)",
        "Disabling lock debugging due to kernel taint",
        "include/linux/rcupdate.h:737 suspicious RCU usage!",
        "ODEBUG: free active (active state 0) object: 000000002a2b8f4e object type: rcu_head hint: 0x0",
        "list_add corruption. next->prev should be prev (ffffffff82a0d8a0), but was 0000000000000000.",
        "list_del corruption, ffff888100a7b1c0->next is LIST_POISON1 (dead000000000100)",
    ])
    func findsForbiddenLines(message: String) {
        let log = KernelLog(records: [KernelLogRecord(message: "klpsv: loaded"), KernelLogRecord(message: message)])
        #expect(log.violations().map(\.record.message) == [message])
        #expect(throws: UncleanKernelLog.self) { try log.assertClean() }
    }

    @Test(arguments: [
        "klpsv: loaded, list_max=4096",
        "klpsv_test: obj a created",
        "klpsv: alloc <00000000c0ffee12, 1> already exists",
        "klpsv: freed 3 leftover shadows of id 1",
        "systemd[1]: Finished install of something",
        "klpsv: free_all 7: nothing to free",
    ])
    func acceptsOrdinaryLines(message: String) throws {
        try KernelLog(records: [KernelLogRecord(message: message)]).assertClean()
    }

    @Test func describesWhatIsUnclean() {
        let log = KernelLog(records: [KernelLogRecord(message: "WARNING: at shadow.c:1")], lostRecords: 2)
        let error = #expect(throws: UncleanKernelLog.self) { try log.assertClean() }
        #expect(error?.description == """
            kernel log is not clean:
              'WARNING:' in: WARNING: at shadow.c:1
              2 records lost before they could be read
            """)
    }

    @Test func findsLinesMatchingText() {
        let log = KernelLog(records: ["klpsv: a already exists", "klpsv_test: obj a created", "x already exists"]
            .map { KernelLogRecord(message: $0) })
        #expect(log.lines(matching: "already exists").map(\.message) == ["klpsv: a already exists", "x already exists"])
        #expect(log.lines(matching: "leftover").isEmpty)
    }

    @Test func theCursorSeesOnlyWhatCameAfterIt() throws {
        let source = FakeKernelLog()
        source.log("before the test")
        let cursor = try KernelLogCursor(source: source)
        #expect(try cursor.read().records.isEmpty)
        source.log("klpsv: loaded")
        source.log("klpsv_test: obj a created")
        #expect(try cursor.read().messages == ["klpsv: loaded", "klpsv_test: obj a created"])
        source.log("klpsv: unloaded")
        let log = try cursor.read()
        #expect(log.messages == ["klpsv: loaded", "klpsv_test: obj a created", "klpsv: unloaded"])
        #expect(log.lostRecords == 0)
        #expect(log.records.map(\.sequence) == [101, 102, 103])
    }

    @Test func theCursorCountsOverwrittenRecords() throws {
        let source = FakeKernelLog()
        let cursor = try KernelLogCursor(source: source)
        for index in 0..<5 { source.log("line \(index)") }
        source.overwrite(3)
        let log = try cursor.read()
        #expect(log.messages == ["line 3", "line 4"])
        #expect(log.lostRecords == 1)
        #expect(throws: UncleanKernelLog.self) { try log.assertClean() }
    }
}
