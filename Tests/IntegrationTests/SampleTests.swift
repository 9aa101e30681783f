import Foundation
import ShadowKit
import SystemPackage
import Testing

/// klpsv's log line for callback `what` of state `id`, run with patch `patch`.
private func step(_ patch: Samples.Patch, _ id: UInt64, _ what: String) -> String {
    "\(patch.rawValue): state \(id): \(what)"
}

/// The touch counts the `objects` file shows with fix 1 or fix 2 in force:
/// `nil` for an object without a shadow (`touches -`).
private func touchCounts(_ lines: [String]) -> [Int?] {
    lines.map { line in
        guard let range = line.range(of: " touches ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}

extension InVM {
    /// The scenarios of the state engine on real livepatches of a real
    /// target: functions redirected, tasks switching one by one.
    @Suite("sample livepatches")
    struct SampleTests {
        @Test("fix 1: shadows for new objects once patching is complete, for older ones at first touch; disable frees them",
              .inKlpsvVM)
        func fix1Lifecycle() throws {
            try Fixture.runWithSamples { session, samples, _ in
                let log = StateLog(session.cursor)
                try samples.command("new 3")
                #expect(try samples.objects() == ["serial 1", "serial 2", "serial 3"])

                #expect(try samples.load(.fix1) == nil)
                #expect(try log.next() == [step(.fix1, 1, "pre_patch"), step(.fix1, 1, "post_patch")])
                #expect(try samples.objects() == [
                    "serial 1 fix1 touches -", "serial 2 fix1 touches -", "serial 3 fix1 touches -",
                ], "objects that predate the patch have no shadow yet")
                try samples.command("new 2")
                try samples.command("touch")
                try samples.command("touch")
                #expect(touchCounts(try samples.objects()) == [2, 2, 2, 2, 2])
                #expect(try session.debugfs.states()[id: 1] == KlpsvStates.Row(
                    id: 1, phase: .inForce, flags: StateFlags(isShadow: true), enabled: true, shadows: 5,
                    patches: ["klpsv_fix1"]))
                #expect(try session.stats().lifetime(of: 1) == .state)

                try samples.command("free 1")
                #expect(try session.stats()[id: 1].live == 4, "fix 1's free drops the shadow with its object")

                try samples.setEnabled(.fix1, false)
                #expect(try log.next() == [
                    step(.fix1, 1, "pre_unpatch"), step(.fix1, 1, "post_unpatch"),
                    step(.fix1, 1, "removed, 4 shadows freed"),
                ])
                #expect(try session.stats()[id: 1].live == 0)
                #expect(try session.debugfs.states()[id: 1]?.phase == .removed)
                #expect(try samples.objects() == ["serial 2", "serial 3", "serial 4", "serial 5"])
                try samples.unload(.fix1)
            }
        }

        @Test("cumulative fix 2 keeps state 1 and its shadows, adds state 2; fix 3 drops state 1 and klpsv frees its shadows",
              .inKlpsvVM)
        func cumulativeReplaces() throws {
            try Fixture.runWithSamples { session, samples, _ in
                let log = StateLog(session.cursor)
                try samples.command("new 4")
                try samples.load(.fix1)
                try samples.command("touch")
                _ = try log.next()

                #expect(try samples.load(.fix2) == nil)
                #expect(try log.next() == [step(.fix2, 2, "pre_patch"), step(.fix2, 2, "post_patch")],
                        "kept state 1 gets no callback")
                #expect(!(try samples.isRegistered(.fix1)), "the replaced patch is gone from sysfs")
                try samples.unload(.fix1)
                try samples.command("touch")
                #expect(try samples.objects() == (1...4).map { "serial \($0) fix2 touches 2 total 4" },
                        "the counts of fix 1 survive the replace; the total counts from fix 2 on")
                let states = try session.debugfs.states()
                #expect(states[id: 1]?.patches == ["klpsv_fix2"])
                #expect(states[id: 1]?.shadows == 4)
                #expect(states[id: 2] == KlpsvStates.Row(id: 2, phase: .inForce, enabled: true, shadows: 1,
                                                         patches: ["klpsv_fix2"]))
                #expect(try session.stats().lifetime(of: 2) == .manual)

                #expect(try samples.load(.fix3) == nil)
                #expect(try log.next() == [
                    step(.fix2, 1, "pre_unpatch"), step(.fix2, 1, "post_unpatch"),
                    step(.fix2, 1, "removed, 4 shadows freed"),
                ], "the dropped state is unwound with the callbacks of the patch that supported it")
                try samples.unload(.fix2)
                #expect(try session.stats()[id: 1].live == 0)
                try samples.command("touch")
                #expect(try samples.objects() == (1...4).map { "serial \($0) fix3 total 8" },
                        "state 2's total survives")
                #expect(try session.debugfs.states()[id: 2]?.patches == ["klpsv_fix3"])

                try samples.setEnabled(.fix3, false)
                #expect(try log.next() == [
                    step(.fix3, 2, "pre_unpatch"), step(.fix3, 2, "post_unpatch"),
                    step(.fix3, 2, "removed, 0 shadows freed"),
                ])
                #expect(try session.stats()[id: 2].live == 0, "fix 3's post_unpatch freed the total itself")
            }
        }

        @Test("fixes 1 and 2 side by side (no replace): state 1 stays while either supports it", .inKlpsvVM)
        func sideBySide() throws {
            try Fixture.runWithSamples { session, samples, _ in
                let log = StateLog(session.cursor)
                try samples.command("new 2")
                try samples.load(.fix1, "replace=0")
                try samples.command("touch")
                try samples.load(.fix2, "replace=0")
                #expect(try log.next() == [
                    step(.fix1, 1, "pre_patch"), step(.fix1, 1, "post_patch"),
                    step(.fix2, 2, "pre_patch"), step(.fix2, 2, "post_patch"),
                ])
                #expect(try session.debugfs.states()[id: 1]?.patches.sorted() == ["klpsv_fix1", "klpsv_fix2"])

                try samples.setEnabled(.fix1, false)
                #expect(try log.next() == [], "state 1 is still supported by fix 2")
                #expect(try session.stats()[id: 1].live == 2)
                try samples.command("touch")
                #expect(try samples.objects() == ["serial 1 fix2 touches 2 total 2", "serial 2 fix2 touches 2 total 2"])

                try samples.setEnabled(.fix2, false)
                #expect(try log.next() == [
                    step(.fix2, 1, "pre_unpatch"), step(.fix2, 2, "pre_unpatch"),
                    step(.fix2, 1, "post_unpatch"), step(.fix2, 1, "removed, 2 shadows freed"),
                    step(.fix2, 2, "post_unpatch"), step(.fix2, 2, "removed, 0 shadows freed"),
                ])
                try samples.unload(.fix1)
                try samples.unload(.fix2)
            }
        }

        @Test("a failing pre_patch refuses fix 2: alone it unwinds state 1; over fix 1 it leaves state 1 untouched",
              .inKlpsvVM)
        func failingPrePatch() throws {
            try Fixture.runWithSamples { session, samples, _ in
                let log = StateLog(session.cursor)
                try samples.command("new 2")
                let alone = try #require(try samples.load(.fix2, "fault=1"))
                #expect(alone.errno == .noMemory)
                #expect(try log.next() == [
                    step(.fix2, 1, "pre_patch"), step(.fix2, 2, "pre_patch"),
                    step(.fix2, 2, "pre_patch failed (-12): patch refused"),
                    step(.fix2, 1, "post_unpatch"), step(.fix2, 1, "removed, 0 shadows freed"),
                ])
                #expect(!samples.isLoaded(.fix2))
                #expect(try session.debugfs.patches().rows.isEmpty)

                try samples.load(.fix1)
                try samples.command("touch")
                _ = try log.next()
                #expect(try samples.load(.fix2, "fault=1") != nil)
                #expect(try log.next() == [
                    step(.fix2, 2, "pre_patch"), step(.fix2, 2, "pre_patch failed (-12): patch refused"),
                ], "kept state 1 gets nothing")
                #expect(try session.debugfs.states()[id: 1]?.enabled == true)
                #expect(try session.debugfs.states()[id: 1]?.patches == ["klpsv_fix1"])
                #expect(touchCounts(try samples.objects()) == [1, 1], "fix 1 still runs, with its shadows")
                #expect(try session.stats()[id: 2].live == 0)
            }
        }

        @Test("block_disable: a replace dropping state 7 is refused; a forced disable leaves an orphan until adopted",
              .inKlpsvVM)
        func blockDisable() throws {
            try Fixture.runWithSamples { session, samples, patches in
                let log = StateLog(session.cursor)
                #expect(try samples.load(.limit) == nil)
                try samples.command("new 1000")
                try samples.command("new 200")
                #expect(try samples.objects().count == 1200, "the raised limit is in force")
                let statesBefore = try session.debugfs.states()
                _ = try log.next()

                let refusal = try #require(try samples.load(.fix1))
                #expect(refusal.errno == .resourceBusy)
                #expect(try log.next() == [], "refused before any callback")
                #expect(try session.debugfs.states() == statesBefore)
                #expect(try session.cursor.read().messages.contains(
                    "klpsv: klpsv_fix1: refused: the replace would remove state 7 of klpsv_limit, which has block_disable"))

                try samples.setEnabled(.limit, false)
                #expect(try log.next() == [], "no callback reverts the state")
                #expect(try session.debugfs.patches().rows.first { $0.name == "klpsv_limit" }?.phase == .orphan)
                #expect(try session.debugfs.states()[id: 7] == KlpsvStates.Row(
                    id: 7, phase: .inForce, flags: StateFlags(blockDisable: true), enabled: true, shadows: 0,
                    patches: ["klpsv_limit"]))
                #expect(throws: ModuleError.self, "the orphan's module is pinned") {
                    try session.loader.unload(Samples.Patch.limit.rawValue)
                }
                #expect(throws: Errno.noSpace, "the old code's limit is back for new objects") {
                    try samples.command("new 1")
                }
                #expect(try samples.objects().count == 1200, "no object is lost")

                #expect(try patches.load(1, states: "7") == nil)
                #expect(try log.next() == [], "adopting a state in force runs no callback")
                #expect(try session.debugfs.patches().rows.first { $0.name == "klpsv_limit" } == nil, "the orphan is released")
                #expect(try session.debugfs.states()[id: 7]?.patches == ["klpsv_vp1"])
                try samples.unload(.limit)
                try samples.command("clear")
                try patches.setEnabled(1, false)
                #expect(try log.next() == [
                    "klpsv_vp1: state 7: pre_unpatch", "klpsv_vp1: state 7: post_unpatch",
                    "klpsv_vp1: state 7: removed, 0 shadows freed",
                ], "a patch that declares the state without block_disable may remove it")
            }
        }

        @Test("the nap patch held open: new code sees patching incomplete; a reversed enable runs only post_unpatch",
              .inKlpsvVM)
        func reversedEnable() throws {
            try Fixture.runWithSamples { session, samples, _ in
                let log = StateLog(session.cursor)
                try samples.command("new 1")
                try samples.command("hold")
                #expect(try samples.load(.nap, wait: false) == nil)
                Thread.sleep(forTimeInterval: 1.5)
                #expect(try samples.inTransition(.nap), "the napping task holds the transition open")
                #expect(try session.debugfs.states()[id: 8]?.enabled == false)
                #expect(!(try samples.objects().contains("serial 1 nap complete")),
                        "klpsv_state_enabled(8) is false until patching completes")

                try samples.setEnabled(.nap, false)
                #expect(try log.next() == [
                    step(.nap, 8, "pre_patch"), step(.nap, 8, "post_unpatch"),
                    step(.nap, 8, "removed, 0 shadows freed"),
                ], "no pre_unpatch for a state whose post_patch never ran")
                #expect(!(try samples.isRegistered(.nap)))
                try samples.command("release")
                try samples.unload(.nap)
                #expect(try samples.objects() == ["serial 1"])
            }
        }

        @Test("the nap patch held open while disabling: a reversed disable runs post_patch again", .inKlpsvVM)
        func reversedDisable() throws {
            try Fixture.runWithSamples { session, samples, _ in
                let log = StateLog(session.cursor)
                try samples.command("new 1")
                #expect(try samples.load(.nap) == nil)
                #expect(try samples.objects() == ["serial 1 nap complete"])
                #expect(try session.stats()[id: 8].live == 1, "post_patch made the state's shadow")
                _ = try log.next()

                try samples.command("hold")
                try samples.setEnabled(.nap, false, wait: false)
                Thread.sleep(forTimeInterval: 1.5)
                #expect(try samples.inTransition(.nap), "the task napping in the new nap holds the transition")
                #expect(try session.debugfs.states()[id: 8]?.enabled == false)

                try samples.setEnabled(.nap, true)
                #expect(try log.next() == [step(.nap, 8, "pre_unpatch"), step(.nap, 8, "post_patch")])
                #expect(try session.debugfs.states()[id: 8]?.enabled == true)
                #expect(try session.stats()[id: 8].live == 1, "its shadow stayed")
                #expect(try samples.objects() == ["serial 1 nap complete"])

                try samples.command("release")
                try samples.setEnabled(.nap, false)
                #expect(try log.next() == [
                    step(.nap, 8, "pre_unpatch"), step(.nap, 8, "post_unpatch"),
                    step(.nap, 8, "removed, 1 shadows freed"),
                ])
                try samples.unload(.nap)
            }
        }

        @Test("fix 1 superseded by a replace klpsv is not told of: its module going drops state 1 and its shadows",
              .inKlpsvVM)
        func supersededBehindKlpsvsBack() throws {
            let report = try Fixture.runWithSamples { session, samples, patches in
                let log = StateLog(session.cursor)
                try samples.command("new 3")
                try samples.load(.fix1)
                try samples.command("touch")
                #expect(try session.stats()[id: 1].live == 3)
                _ = try log.next()

                #expect(try patches.load(1, states: "", replace: true, plain: true) == nil)
                #expect(try samples.objects() == ["serial 1", "serial 2", "serial 3"], "fix 1's code is gone")
                #expect(try session.debugfs.states()[id: 1]?.phase == .inForce, "klpsv has not seen it yet")
                try samples.unload(.fix1)
                #expect(try log.next() == [
                    "klpsv_fix1: state 1: removed without callbacks, 3 shadows freed without their destructor",
                ], "no callback, and no destructor, of a module whose exit() has run")
                #expect(try session.debugfs.states()[id: 1]?.phase == .removed)
                #expect(try session.stats()[id: 1].live == 0)
                #expect(try session.debugfs.patches().rows.isEmpty)
            }
            #expect(report.log.lines(matching: "klpsv_fix1: module going while registered").count == 1)
        }

        @Test("a removed is_shadow state refuses new shadows of its id; strict=1 refuses ids no state declares",
              .inKlpsvVM)
        func refusedAllocations() throws {
            let report = try Fixture.runWithSamples(klpsvParameters: ["strict=1"]) { session, samples, _ in
                #expect(!(try session.hooks.alloc(.null, id: 1, size: 8).found), "strict: no state declares 1")
                try samples.load(.fix1)
                #expect(try session.hooks.alloc(.null, id: 1, size: 8).found)
                #expect(try session.hooks.free(.null, id: 1).dtorCalls == 1)
                try samples.setEnabled(.fix1, false)
                #expect(!(try session.hooks.alloc(.null, id: 1, size: 8).found), "state 1 has been removed")
                try samples.unload(.fix1)
            }
            #expect(report.log.lines(matching: "id 1: refused: no state declares it (strict=1)").count == 1)
            #expect(report.log.lines(matching: "id 1: refused: its state has been removed").count == 1)
        }

        @Test("objects born and dying in the background through fix 1, fix 2 and fix 3: no shadow outlives state 1",
              .inKlpsvVM)
        func churnAcrossReplaces() throws {
            try Fixture.runWithSamples { session, samples, _ in
                try samples.setParameter("churn_keep", "8")
                try samples.setParameter("churn_ms", "10")
                try samples.load(.fix1)
                Thread.sleep(forTimeInterval: 2)
                let lines = try samples.objects()
                #expect(lines.count == 8)
                #expect(touchCounts(lines).allSatisfy { $0 == 0 },
                        "objects born once patching completed have their shadow from birth: \(lines)")
                try samples.load(.fix2)
                try samples.command("touch")
                try samples.load(.fix3)
                Thread.sleep(forTimeInterval: 0.5)
                #expect(try session.stats()[id: 1].live == 0)
                #expect(try session.debugfs.states()[id: 1]?.phase == .removed)
                try samples.setParameter("churn_ms", "0")
                let stats = try session.stats()[id: 1]
                #expect(stats.allocs == stats.frees)
                try samples.unload(.fix1)
                try samples.unload(.fix2)
            }
        }

        @Test("bad commands and parameters are refused and change nothing", .inKlpsvVM)
        func badInput() throws {
            try Fixture.runWithSamples { _, samples, _ in
                try samples.command("new 2")
                for (command, errno) in [
                    ("bogus", Errno.invalidArgument), ("new", .invalidArgument), ("new 0", .invalidArgument),
                    ("new 1001", .invalidArgument), ("new -1", .invalidArgument), ("new 1 2", .invalidArgument),
                    ("free 3", .outOfRange), ("touch now", .invalidArgument), ("release", .noSuchFileOrDirectory),
                    ("new 999", .noSpace),
                ] {
                    #expect(throws: errno, "\(command)") { try samples.command(command) }
                }
                #expect(try samples.objects() == ["serial 1", "serial 2"])
                for (name, value) in [("churn_ms", "5"), ("churn_ms", "60001"), ("churn_ms", "x"),
                                      ("churn_keep", "0"), ("churn_keep", "1001")] {
                    #expect(throws: Errno.invalidArgument, "\(name)=\(value)") {
                        try samples.setParameter(name, value)
                    }
                }
                #expect(try samples.parameter("churn_ms") == "0")
                #expect(try samples.parameter("churn_keep") == "16")
            }
        }
    }
}
