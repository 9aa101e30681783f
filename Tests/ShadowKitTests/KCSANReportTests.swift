import ShadowKit
import Testing

@Suite("KCSAN reports")
struct KCSANReportTests {
    static let rule = String(repeating: "=", count: 66)

    /// A report as KCSAN prints it, one record per line.
    static func report(title: String, frames: [String], release: String = "6.1.192-klpsv-kcsan") -> [String] {
        [rule, "BUG: KCSAN: \(title)", "", "read to 0xffff888003a1c000 of 8 bytes by task 120 on cpu 1:"]
            + frames.map { " " + $0 }
            + ["", "Reported by Kernel Concurrency Sanitizer on:",
               "CPU: 1 PID: 120 Comm: klpsvPackageTes Not tainted \(release) #1", rule]
    }

    static func log(_ messages: [String]) -> KernelLog {
        KernelLog(records: messages.enumerated().map { KernelLogRecord(sequence: UInt64($0.offset), message: $0.element) })
    }

    @Test func findsEachReportFromRuleToRule() {
        let first = Self.report(title: "data-race in _find_next_and_bit+0x40/0x100",
                                frames: ["_find_next_and_bit+0x40/0x100", "trigger_load_balance+0x175/0x600"])
        let second = Self.report(title: "data-race in klpsv_shadow_get / klpsv_table_rebuild",
                                 frames: ["klpsv_shadow_get+0x1c/0x90 [klpsv]"])
        let log = Self.log(["klpsv: loaded"] + first + ["between"] + second + ["klpsv: unloaded"])
        let reports = log.kcsanReports
        #expect(reports.map(\.title) == ["BUG: KCSAN: data-race in _find_next_and_bit+0x40/0x100",
                                         "BUG: KCSAN: data-race in klpsv_shadow_get / klpsv_table_rebuild"])
        #expect(reports.map(\.range) == [1..<(1 + first.count), (2 + first.count)..<(2 + first.count + second.count)])
    }

    @Test func aFrameOrTheTitleNamesTheModuleButTheReleaseDoesNot() {
        let foreign = Self.report(title: "data-race in tick_nohz_idle_stop_tick / tick_sched_do_timer",
                                  frames: ["tick_sched_do_timer+0x2a/0x130"])
        let viaFrame = Self.report(title: "data-race in __rcu_read_lock / hook_get",
                                   frames: ["__rcu_read_lock+0x1/0x2", "hook_get+0x50/0x90 [klpsv_test]"])
        let viaTitle = Self.report(title: "data-race in klpsv_shadow_free / klpsv_shadow_get", frames: ["x+0x1/0x2"])
        let log = Self.log(foreign + viaFrame + viaTitle)
        #expect(log.kcsanReports.map { $0.namesModule("klpsv", in: log) } == [false, true, true])
    }

    @Test func theCodeAnInterruptStoppedIsNotTheRacer() {
        // The interrupt's access races; klpsv_test was only running when
        // the timer fired (a report seen on the KCSAN kernel).
        let interrupted = Self.report(title: "data-race in _find_next_and_bit+0x40/0x100", frames: [
            "_find_next_and_bit+0x40/0x100", "trigger_load_balance+0x175/0x600",
            "asm_sysvec_apic_timer_interrupt+0x16/0x20", "klpsv_test_call_in+0xd0/0x1e0 [klpsv_test]",
        ])
        // A softirq run on the interrupt's exit: klpsv's RCU callback is
        // above the entry, so it races.
        let softirq = Self.report(title: "data-race in __kmem_cache_free / fill_pool", frames: [
            "__kmem_cache_free+0x149/0x1d0", "klpsv_shadow_free_rcu+0xe/0x20 [klpsv]", "rcu_core+0x638/0x10d0",
            "asm_sysvec_apic_timer_interrupt+0x16/0x20", "default_idle+0x1/0x2",
        ])
        let log = Self.log(interrupted + softirq)
        #expect(log.kcsanReports.map { $0.namesModule("klpsv", in: log) } == [false, true])
    }

    @Test func removingReportsKeepsEverythingElse() {
        let foreign = Self.report(title: "data-race in _find_next_bit+0x37/0xc0", frames: ["_find_next_bit+0x37/0xc0"])
        let log = Self.log(["a"] + foreign + ["b", "WARNING: CPU: 0 PID: 1 at kmod/klpsv/store.c:10"])
        let kept = log.removing(log.kcsanReports.filter { !$0.namesModule("klpsv", in: log) })
        #expect(kept.messages == ["a", "b", "WARNING: CPU: 0 PID: 1 at kmod/klpsv/store.c:10"])
        #expect(kept.violations().count == 1)
        #expect(log.violations().count == 2, "the title of the removed report is a BUG: line")
    }

    @Test func anUnclosedReportRunsToTheEndAndALoneRuleIsNoReport() {
        let open = Array(Self.report(title: "data-race in a / b", frames: ["a+0x1/0x2"]).dropLast())
        let log = Self.log([Self.rule, "not a title", "x"] + open)
        #expect(log.kcsanReports.map(\.range) == [3..<(3 + open.count)])
    }
}
