import ShadowKit
import Testing

/// `klpsv_vpN: state ID: CALLBACK by PATCH (enabled=0 own=1)`: what a
/// virtual patch logs when klpsv calls one of its state callbacks. Inside
/// every callback the state is not enabled, and `klpsv_get_state(patch, id)`
/// returns the state the callback was given.
private func call(_ owner: Int, _ id: UInt64, _ callback: String) -> String {
    let name = VirtualPatches.name(owner)
    return "\(name): state \(id): \(callback) by \(name) (enabled=0 own=1)"
}

/// Callback lines without the destructor lines (whose order among
/// themselves is the hash table's).
private func calls(_ lines: [String]) -> [String] {
    lines.filter { !$0.contains("shadow_dtor") }
}

private func destructorCalls(_ lines: [String]) -> Int {
    lines.filter { $0.contains("shadow_dtor") }.count
}

/// One row of klpsv's `states` file, by column name.
private func stateRow(_ id: UInt64) throws -> [String: String]? {
    let text = try LocalFileAccess().contents(of: "/sys/kernel/debug/klpsv/states")
    let lines = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    guard let header = lines.first else { return nil }
    for fields in lines.dropFirst() where fields.first == String(id) {
        return Dictionary(uniqueKeysWithValues: zip(header, fields))
    }
    return nil
}

private func patchesFile() throws -> String {
    try LocalFileAccess().contents(of: "/sys/kernel/debug/klpsv/patches")
}

extension InVM {
    @Suite("system states")
    struct StateTests {
        @Test("enable introduces the states, disable removes them and frees their shadows", .inKlpsvVM)
        func enableThenDisable() throws {
            let report = try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                #expect(try patches.load(1, states: "1s,2") == nil)
                #expect(calls(try callbacks.next()) == [
                    call(1, 1, "pre_patch"), call(1, 2, "pre_patch"),
                    call(1, 1, "post_patch"), call(1, 2, "post_patch"),
                ])
                #expect(try session.debugfs.states()[id: 1] == KlpsvStates.Row(
                    id: 1, phase: .inForce, flags: StateFlags(isShadow: true), enabled: true, shadows: 1,
                    patches: ["klpsv_vp1"]))
                #expect(try session.debugfs.patches().rows == [KlpsvPatches.Row(
                    name: "klpsv_vp1", phase: .enabled, replace: false,
                    states: [.init(id: 1, flags: StateFlags(isShadow: true)), .init(id: 2)])])
                let row = try #require(try stateRow(1))
                #expect(row["state"] == "in-force")
                #expect(row["enabled"] == "yes")
                #expect(row["flags"] == "shadow")
                #expect(row["patches"] == "klpsv_vp1")
                _ = try session.hooks.newObject("a")
                #expect(try session.hooks.alloc(.named("a"), id: 1, size: 8).found)
                #expect(try session.stats()[id: 1].live == 2, "the patch's global shadow and the hooks' one")

                try patches.setEnabled(1, false)
                let log = try callbacks.next()
                #expect(calls(log) == [
                    call(1, 1, "pre_unpatch"), call(1, 2, "pre_unpatch"),
                    call(1, 1, "post_unpatch"), call(1, 2, "post_unpatch"),
                ])
                #expect(destructorCalls(log) == 2, "each shadow of state 1 through its shadow_dtor")
                #expect(try session.stats()[id: 1].live == 0)
                #expect(try stateRow(1)?["state"] == "removed")
                #expect(try stateRow(1)?["enabled"] == "no")
                #expect(!(try session.hooks.alloc(.named("a"), id: 1, size: 8).found),
                        "an id whose state was removed is refused")
            }
            #expect(report.log.lines(matching: "its state has been removed").count == 1)
        }

        @Test("a cumulative replace that keeps a state runs no callback and keeps its shadows", .inKlpsvVM)
        func replaceKeeps() throws {
            try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                try patches.load(1, states: "1s")
                _ = try session.hooks.newObject("a")
                let shadow = try session.hooks.alloc(.named("a"), id: 1, size: 8, ctor: .fill(0x11))
                _ = try callbacks.next()

                #expect(try patches.load(2, states: "1s", replace: true) == nil)
                #expect(calls(try callbacks.next()).isEmpty)
                let kept = try session.hooks.get(.named("a"), id: 1, length: 8)
                #expect(kept.ptr == shadow.ptr)
                #expect(kept.data == bytes(0x11, 8))
                #expect(try stateRow(1)?["patches"] == "klpsv_vp2")
                #expect(try stateRow(1)?["enabled"] == "yes")

                try patches.setEnabled(2, false)
                let log = try callbacks.next()
                #expect(calls(log) == [call(2, 1, "pre_unpatch"), call(2, 1, "post_unpatch")],
                        "removed with the description of the newest patch")
                #expect(destructorCalls(log) == 2)
            }
        }

        @Test("a cumulative replace that drops a state: introduced pre_patch first, dropped post_unpatch first",
              .inKlpsvVM)
        func replaceDrops() throws {
            try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                try patches.load(1, states: "1s,2")
                _ = try callbacks.next()

                #expect(try patches.load(2, states: "2,3", replace: true) == nil)
                let log = try callbacks.next()
                #expect(calls(log) == [
                    call(2, 3, "pre_patch"), call(1, 1, "pre_unpatch"),
                    call(1, 1, "post_unpatch"), call(2, 3, "post_patch"),
                ])
                #expect(destructorCalls(log) == 1, "state 1's global shadow")
                #expect(try stateRow(1)?["state"] == "removed")
                #expect(try stateRow(2)?["patches"] == "klpsv_vp2")

                try patches.setEnabled(2, false)
                #expect(calls(try callbacks.next()) == [
                    call(2, 2, "pre_unpatch"), call(2, 3, "pre_unpatch"),
                    call(2, 2, "post_unpatch"), call(2, 3, "post_unpatch"),
                ])
            }
        }

        @Test("patches side by side: a state stays while any patch supports it", .inKlpsvVM)
        func sideBySide() throws {
            try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                try patches.load(1, states: "1,2")
                _ = try callbacks.next()
                try patches.load(2, states: "2,3")
                #expect(calls(try callbacks.next()) == [call(2, 3, "pre_patch"), call(2, 3, "post_patch")])
                #expect(try stateRow(2)?["patches"] == "klpsv_vp1,klpsv_vp2")

                try patches.setEnabled(1, false)
                #expect(calls(try callbacks.next()) == [call(1, 1, "pre_unpatch"), call(1, 1, "post_unpatch")])
                #expect(try stateRow(2)?["state"] == "in-force")

                try patches.setEnabled(2, false)
                #expect(calls(try callbacks.next()) == [
                    call(2, 2, "pre_unpatch"), call(2, 3, "pre_unpatch"),
                    call(2, 2, "post_unpatch"), call(2, 3, "post_unpatch"),
                ])
            }
        }

        @Test("a failing pre_patch refuses the patch and unwinds the states prepared before it", .inKlpsvVM)
        func failingPrePatch() throws {
            try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                let refusal = try #require(try patches.load(1, states: "1s,2,3f,4"))
                #expect(refusal.errno == .ioError)
                #expect(calls(try callbacks.next()) == [
                    call(1, 1, "pre_patch"), call(1, 2, "pre_patch"), call(1, 3, "pre_patch"),
                    call(1, 1, "post_unpatch"), call(1, 2, "post_unpatch"),
                ])
                #expect(!session.loader.isLoaded(VirtualPatches.name(1)))
                #expect(!(try patchesFile().contains("klpsv_vp1")))
                #expect(try stateRow(1)?["state"] != "removed", "an undone introduction retires nothing")
                #expect(try session.hooks.alloc(.null, id: 1, size: 8).found)
                #expect(try session.hooks.free(.null, id: 1).dtorCalls == 1)
            }
        }

        @Test("block_disable: a dropping replace is refused, a forced disable leaves an orphan", .inKlpsvVM)
        func blockDisable() throws {
            let report = try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                try patches.load(1, states: "5b")
                try patches.setEnabled(1, false)
                #expect(calls(try callbacks.next()) == [call(1, 5, "pre_patch"), call(1, 5, "post_patch")],
                        "no unpatch callback: the state is never reverted")
                #expect(try stateRow(5)?["state"] == "in-force")
                #expect(try stateRow(5)?["enabled"] == "yes")
                #expect(try patchesFile().contains("klpsv_vp1 orphan"))

                let refusal = try #require(try patches.load(2, states: "6", replace: true))
                #expect(refusal.errno == .resourceBusy)
                #expect(calls(try callbacks.next()).isEmpty, "refused before anything changed")

                #expect(try patches.load(3, states: "5", replace: true) == nil)
                #expect(calls(try callbacks.next()).isEmpty, "the state is kept: adopted, not introduced")
                #expect(!(try patchesFile().contains("klpsv_vp1")))
                #expect(try stateRow(5)?["patches"] == "klpsv_vp3")
            }
            #expect(report.log.lines(matching: "has block_disable").count == 2)
        }

        @Test("a patch superseded behind klpsv's back: its module going drops its states", .inKlpsvVM)
        func moduleGoesAway() throws {
            let report = try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                try patches.load(1, states: "1s")
                #expect(try session.stats()[id: 1].live == 1)
                _ = try callbacks.next()

                #expect(try patches.load(2, states: "", replace: true, plain: true) == nil)
                #expect(try patchesFile().contains("klpsv_vp1"), "klpsv is not told of a plain replace")
                try patches.unload(1)
                let lines = try callbacks.next()
                #expect(calls(lines).isEmpty, "no callback into a module that is going")
                #expect(destructorCalls(lines) == 0, "no shadow_dtor either: the module's exit() has run")
                #expect(!(try patchesFile().contains("klpsv_vp1")))
                #expect(try stateRow(1)?["state"] == "removed")
                #expect(try session.stats()[id: 1].live == 0)
            }
            #expect(report.log.lines(matching: "module going while registered").count == 1)
            #expect(report.log.lines(
                matching: "klpsv_vp1: state 1: removed without callbacks, 1 shadows freed without their destructor"
            ).count == 1)
        }

        @Test("a reversed disable of a replace keeps the patch enabled after it", .inKlpsvVM)
        func reversedDisableOfReplace() throws {
            try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                try patches.load(1, states: "1", replace: true, hold: true)
                try patches.load(2, states: "2s")
                try session.hooks.hold()
                _ = try callbacks.next()

                try patches.setEnabled(1, false, wait: false)
                #expect(try patches.inTransition(1), "the holding task sleeps in the new function")
                try patches.setEnabled(1, true, wait: false)
                try session.hooks.release()
                try patches.waitForTransition(1)
                #expect(calls(try callbacks.next()) == [call(1, 1, "pre_unpatch"), call(1, 1, "post_patch")])
                #expect(try patchesFile().contains("klpsv_vp2 enabled"), "the livepatch core still has it enabled")
                #expect(try stateRow(2)?["patches"] == "klpsv_vp2")

                try patches.setEnabled(2, false)
                let log = try callbacks.next()
                #expect(calls(log) == [call(2, 2, "pre_unpatch"), call(2, 2, "post_unpatch")])
                #expect(destructorCalls(log) == 1, "state 2's shadow goes through its shadow_dtor")
                #expect(try stateRow(2)?["state"] == "removed")
                #expect(try session.stats()[id: 2].live == 0)
            }
        }

        @Test("a patch that waits for klp_mutex while a replace completes stays klpsv's", .inKlpsvVM)
        func enableWaitingForReplace() throws {
            try Fixture.runWithPatches { session, patches in
                #expect(try patches.load(2, states: "2s", extra: ["deferred=1"]) == nil)
                // insmod of patch 1 sleeps under klp_mutex at the end of its
                // transition, before klpsv's post_patch runs; meanwhile
                // patch 2 calls klpsv_enable_patch(), registers with klpsv
                // and waits for klp_mutex.
                let replace = try BackgroundInsmod(
                    Integration.modulePath(VirtualPatches.name(1)),
                    parameters: ["states=1", "replace=1", "slow_post=4000"])
                defer { replace.wait() }
                try waitForLogLine("klpsv_vp1: slow post_patch: sleeping", cursor: session.cursor)
                try "1".write(toFile: "/sys/module/klpsv_vp2/parameters/enable", atomically: false, encoding: .utf8)
                #expect(replace.wait() == 0)
                try patches.waitForTransition(2)

                let rows = try session.debugfs.patches().rows
                #expect(rows.map(\.name) == ["klpsv_vp1", "klpsv_vp2"])
                #expect(rows.allSatisfy { $0.phase == .enabled })
                #expect(try stateRow(2)?["state"] == "in-force", "introduced by patch 2's own pre_patch")
                #expect(try stateRow(2)?["shadows"] == "1")
                try patches.setEnabled(2, false)
                #expect(try stateRow(2)?["state"] == "removed", "and removed by its disable")
            }
        }

        @Test("an undone introduction puts back the removed mark: failed pre_patch, reversed enable", .inKlpsvVM)
        func undoneIntroductionStaysRemoved() throws {
            let report = try Fixture.runWithPatches { session, patches in
                try patches.load(1, states: "1s,2s")
                try patches.setEnabled(1, false)
                try patches.unload(1)
                #expect(try stateRow(1)?["state"] == "removed")
                #expect(try stateRow(2)?["state"] == "removed")

                #expect(try patches.load(2, states: "1,3f") != nil, "state 3's pre_patch fails")
                #expect(try stateRow(1)?["state"] == "removed")
                #expect(!(try session.hooks.alloc(.null, id: 1, size: 8).found),
                        "refused after a failed pre_patch as before it")

                try session.hooks.hold()
                #expect(try patches.load(3, states: "2", hold: true, wait: false) == nil)
                #expect(try patches.inTransition(3))
                try patches.setEnabled(3, false, wait: false)
                try session.hooks.release()
                try patches.waitForTransition(3)
                #expect(try stateRow(2)?["state"] == "removed")
                #expect(!(try session.hooks.alloc(.null, id: 2, size: 8).found),
                        "refused after a reversed enable as before it")
            }
            #expect(report.log.lines(matching: "its state has been removed").count == 2)
        }

        @Test("a reversed enable runs post_unpatch, and no pre_unpatch, for what it introduced", .inKlpsvVM)
        func reversedEnable() throws {
            try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                try session.hooks.hold()
                #expect(try patches.load(1, states: "1s,2", hold: true, wait: false) == nil)
                #expect(try patches.inTransition(1), "the holding task keeps the old function on its stack")
                #expect(try stateRow(1)?["enabled"] == "no", "false while the transition is in flight")
                #expect(try patchesFile().contains("klpsv_vp1 enabling"))

                try patches.setEnabled(1, false, wait: false)
                try session.hooks.release()
                try patches.waitForTransition(1)
                #expect(calls(try callbacks.next()) == [
                    call(1, 1, "pre_patch"), call(1, 2, "pre_patch"),
                    call(1, 1, "post_unpatch"), call(1, 2, "post_unpatch"),
                ])
                #expect(!(try patchesFile().contains("klpsv_vp1")))
                #expect(try stateRow(1)?["state"] != "removed", "an undone introduction retires nothing")
            }
        }

        @Test("a reversed disable runs post_patch again for what it was removing", .inKlpsvVM)
        func reversedDisable() throws {
            try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                try patches.load(1, states: "1s", hold: true)
                try session.hooks.hold()
                _ = try callbacks.next()

                try patches.setEnabled(1, false, wait: false)
                #expect(try patches.inTransition(1), "the holding task sleeps in the new function")
                #expect(try stateRow(1)?["enabled"] == "no")
                try patches.setEnabled(1, true, wait: false)
                try session.hooks.release()
                try patches.waitForTransition(1)
                #expect(calls(try callbacks.next()) == [call(1, 1, "pre_unpatch"), call(1, 1, "post_patch")])
                #expect(try stateRow(1)?["enabled"] == "yes")
                #expect(try stateRow(1)?["shadows"] == "1", "the state's shadow survives")
                #expect(try patchesFile().contains("klpsv_vp1 enabled"))
            }
        }

        @Test("a reversed replace re-enables, through post_patch, the states it was dropping", .inKlpsvVM)
        func reversedReplace() throws {
            try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                try patches.load(1, states: "1s,2")
                _ = try callbacks.next()
                try session.hooks.hold()
                #expect(try patches.load(2, states: "2,3", replace: true, hold: true, wait: false) == nil)
                #expect(try patches.inTransition(2))
                #expect(try stateRow(1)?["enabled"] == "no", "being dropped")
                #expect(try stateRow(2)?["enabled"] == "yes", "kept")

                try patches.setEnabled(2, false, wait: false)
                try session.hooks.release()
                try patches.waitForTransition(2)
                #expect(calls(try callbacks.next()) == [
                    call(2, 3, "pre_patch"), call(1, 1, "pre_unpatch"),
                    call(2, 3, "post_unpatch"), call(1, 1, "post_patch"),
                ])
                #expect(try stateRow(1)?["enabled"] == "yes")
                #expect(try stateRow(1)?["shadows"] == "1")
                #expect(try stateRow(1)?["patches"] == "klpsv_vp1")
                #expect(!(try patchesFile().contains("klpsv_vp2")))
            }
        }

        @Test("a refused patch leaves the states it would keep or drop untouched", .inKlpsvVM)
        func refusalKeepsOthers() throws {
            try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                try patches.load(1, states: "1s,2")
                _ = try callbacks.next()
                #expect(try patches.load(2, states: "1s,3f", replace: true) != nil)
                #expect(calls(try callbacks.next()) == [call(2, 3, "pre_patch")],
                        "kept state 1 gets nothing; dropped state 2 gets no pre_unpatch")
                #expect(try stateRow(1)?["enabled"] == "yes")
                #expect(try stateRow(2)?["enabled"] == "yes")
                #expect(try stateRow(1)?["shadows"] == "1")
                #expect(try stateRow(1)?["patches"] == "klpsv_vp1")
            }
        }

        @Test("a state declared twice in one patch is refused", .inKlpsvVM)
        func duplicateState() throws {
            let report = try Fixture.runWithPatches { _, patches in
                let refusal = try #require(try patches.load(1, states: "1,1"))
                #expect(refusal.errno == .invalidArgument)
            }
            #expect(report.log.lines(matching: "declared twice").count == 1)
        }

        @Test("strict=1 refuses shadows of ids that no state declares", .inKlpsvVM)
        func strictMode() throws {
            let report = try Fixture.runWithPatches(klpsvParameters: ["strict=1"]) { session, patches in
                #expect(!(try session.hooks.alloc(.null, id: 9, size: 8).found))
                try patches.load(1, states: "9")
                #expect(try session.hooks.alloc(.null, id: 9, size: 8).found)
                #expect(try session.hooks.free(.null, id: 9).dtorCalls == 1)
            }
            #expect(report.log.lines(matching: "no state declares it").count == 1)
        }
    }
}
