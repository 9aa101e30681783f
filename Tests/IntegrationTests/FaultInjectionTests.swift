import Foundation
import ShadowKit
import SystemPackage
import Testing

/// Every allocation klpsv makes, failed in turn: each path is driven with
/// its 1st, 2nd, ... fault point failing (``FaultInjection``) until it gets
/// through. A failure must be clean (ENOMEM from the write, or NULL from the
/// shadow API) and leave every introspection file as it was; what absorbed
/// its fault must have succeeded; nothing may leak, and the kernel log must
/// stay clean (``Fixture``).
extension InVM {
    @Suite("fault injection", .faultInjectable)
    struct FaultInjectionTests {
        @Test("alloc on an existing id: every failed allocation is clean", .inKlpsvVM, .faultInjectable)
        func allocOnExistingId() throws {
            try FaultInjection.requireAvailable()
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.newObject("b")
                #expect(try session.hooks.alloc(.named("a"), id: 1, size: 64).found)
                var nulls = 0
                try FaultInjection.withSettings {
                    try FaultInjection.drive("alloc", until: { nulls >= 1 },
                                             reset: { try session.hooks.free(.named("b"), id: 1) }) { nth in
                        try attemptShadow(.alloc(.named("b"), id: 1, size: 64), of: .named("b"), id: 1,
                                          session: session, failing: nth, nulls: &nulls)
                    }
                }
                #expect(nulls >= 1, "no fault point in klpsv_shadow_alloc() itself")
                #expect(try session.stats()[id: 1].live == 2)
                try expectNoLeaksYet()
            }
        }

        @Test("get-or-alloc of a missing shadow: every failed allocation is clean", .inKlpsvVM, .faultInjectable)
        func getOrAlloc() throws {
            try FaultInjection.requireAvailable()
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.newObject("b")
                #expect(try session.hooks.alloc(.named("a"), id: 1, size: 32).found)
                var nulls = 0
                try FaultInjection.withSettings {
                    try FaultInjection.drive("get-or-alloc", until: { nulls >= 1 },
                                             reset: { try session.hooks.free(.named("b"), id: 1) }) { nth in
                        try attemptShadow(.getOrAlloc(.named("b"), id: 1, size: 32, ctor: .fill(0x5a)), of: .named("b"),
                                          id: 1, session: session, failing: nth, nulls: &nulls)
                    }
                }
                #expect(nulls >= 1, "no fault point in klpsv_shadow_get_or_alloc() itself")
                #expect(try session.hooks.get(.named("b"), id: 1, length: 32).data == bytes(0x5a, 32))
                try expectNoLeaksYet()
            }
        }

        /// Each attempt uses an id never used before, so that every one
        /// builds the id and its table in the calling task (gfp=kernel:
        /// not from the pool of spares, see idtable.c).
        @Test("first alloc of a new id: every failed allocation of the id, its table or the shadow is clean",
              .inKlpsvVM, .faultInjectable)
        func allocOfNewId() throws {
            try FaultInjection.requireAvailable()
            try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                var nulls = 0
                var lastId: UInt64 = 100
                try FaultInjection.withSettings {
                    try FaultInjection.drive("alloc of a new id", until: { nulls >= 1 }) { nth in
                        lastId += 1
                        return try attemptShadow(.alloc(.named("a"), id: lastId, size: 64), of: .named("a"), id: lastId,
                                                 session: session, failing: nth, nulls: &nulls)
                    }
                }
                #expect(nulls >= 1, "no fault point in klpsv_shadow_alloc() itself")
                #expect(try session.cursor.read().lines(matching: "no memory for the id's table").count >= 1,
                        "no fault point in the creation of the id")
                #expect(try session.stats()[id: lastId].live == 1)
                try expectNoLeaksYet()
            }
        }

        /// With rebuild_work=0 no work item rebuilds a table at 13/16: an
        /// insert that finds its part's table used to 7/8 rebuilds it
        /// itself. A new id has 8 parts of 8 slots (64), and an object
        /// falls in the same part of every id; so a first pass on an id of
        /// its own finds the insert, in a fixed order of objects, that
        /// rebuilds first (the 7th into one part, by the 49th at the
        /// latest), and each attempt fills a fresh id up to it and fails
        /// that insert's allocations. The rebuilt part has 8/5 of 7 slots,
        /// rounded up to kmalloc's 96 bytes: 12, so 68 in all.
        @Test("a rebuild by the inserting task: every failed allocation is clean", .inKlpsvVM, .faultInjectable)
        func rebuildByInsert() throws {
            try FaultInjection.requireAvailable()
            try Fixture.run(klpsvParameters: ["rebuild_work=0"]) { session in
                let objects = 8 * 6 + 1
                for index in 0..<objects { _ = try session.hooks.newObject("o\(index)") }
                let firstPass: UInt64 = 1000
                var crowd = 0
                while crowd < objects, try session.stats().slots(of: firstPass) ?? 64 == 64 {
                    #expect(try session.hooks.alloc(.named("o\(crowd)"), id: firstPass, size: 8).found)
                    crowd += 1
                }
                try #require(try session.stats().slots(of: firstPass) == 68, "\(crowd) inserts rebuilt no table")
                crowd -= 1
                #expect(crowd >= 6, "a part's 7th insert rebuilds it, not the \(crowd + 1)th of the id")
                var nulls = 0
                var id = firstPass
                try FaultInjection.withSettings {
                    try FaultInjection.drive("rebuild", until: { nulls >= 1 }) { nth in
                        id += 1
                        for index in 0..<crowd {
                            #expect(try session.hooks.alloc(.named("o\(index)"), id: id, size: 8).found)
                        }
                        #expect(try session.stats().rows.first { $0.id == id }?.slots == 64)
                        return try attemptShadow(.alloc(.named("o\(crowd)"), id: id, size: 8), of: .named("o\(crowd)"),
                                                 id: id, session: session, failing: nth, nulls: &nulls)
                    }
                }
                #expect(nulls >= 1)
                #expect(try session.cursor.read().lines(matching: "no room in the id's table (-12)").count >= 1,
                        "no fault point in the rebuild")
                let row = try #require(session.stats().rows.first { $0.id == id })
                #expect(row.slots == 68, "the last insert rebuilt its part's table")
                #expect(row.counters.live == UInt64(crowd) + 1)
                try expectNoLeaksYet()
            }
        }

        /// A free puts its shadow into its CPU's batch, whose page comes
        /// from kmalloc(GFP_NOWAIT) when the CPU has none: the first free
        /// on a CPU after klpsv's load, so the one free of this test. Only
        /// allocations that may not sleep are counted, so the first point
        /// of the free is that page. Without it the shadow stays in its
        /// slot, dead, and is freed with its table. With rebuild_work=0 no
        /// work item gives it back until the test lets them run again.
        @Test("a free with no page for its batch: the slot is kept dead, the memory given back with the table",
              .inKlpsvVM, .faultInjectable)
        func freeWithoutBatchPage() throws {
            try FaultInjection.requireAvailable()
            try Fixture.run(klpsvParameters: ["rebuild_work=0"]) { session in
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.newObject("b")
                #expect(try session.hooks.alloc(.named("a"), id: 6, size: 8, ctor: .fill(0x6a)).found)
                #expect(try session.hooks.alloc(.named("b"), id: 6, size: 8).found)
                let held = try #require(session.stats().memory(of: 6))
                let injected = try FaultInjection.withSettings(FaultInjection.nonSleepingSettings) {
                    try InjectedCommand(.free(.named("a"), id: 6), session: session, failing: 1)
                }
                try #require(injected.reached, "the free allocated no page: a CPU had a batch already")
                #expect(injected.error == nil, "a free cannot fail: \(String(describing: injected.error))")
                let freed = try FreeResult(ResultFields(parsing: #require(injected.result)))
                #expect(freed.dtorCalls == 1)
                #expect(!(try session.hooks.get(.named("a"), id: 6).found))
                #expect(try session.hooks.get(.named("b"), id: 6).found)

                let stats = try session.stats()
                #expect(stats[id: 6] == KlpsvStats.Counters(live: 1, bytes: 8, allocs: 2, frees: 1))
                let kept = try #require(stats.memory(of: 6))
                #expect(kept.variables == held.variables - 24, "no longer counted as live")
                // A batched shadow would be given back a grace period
                // after its batch closed (100 ms); a dead one stays.
                func expectKeptDead(_ when: String) throws {
                    let now = try session.stats()
                    #expect(now.used(of: 6) == 2, "\(when): the slot of the freed shadow is kept, dead")
                    #expect(now.memory(of: 6)?.pending == 24, "\(when): its bytes pending, held by the table")
                }
                try expectKeptDead("at once")
                Thread.sleep(forTimeInterval: 2)
                try expectKeptDead("2 s later")

                // free_all kills the other slot; the rebuild its settling
                // asks for a second later retires the table, which gives
                // both dead shadows back.
                try session.setStoreParameter("rebuild_work", "1")
                #expect(try session.hooks.freeAll(id: 6).dtorCalls == 1)
                let settled = try session.stats { $0.used(of: 6) == 0 && $0.memory(of: 6)?.pending == 0 }
                #expect(settled.used(of: 6) == 0, "the table was rebuilt without the dead slots")
                #expect(settled.memory(of: 6)?.pending == 0, "the dead shadows were given back with their table")
                try expectNoLeaksYet()
            }
        }

        @Test("registration: every failed allocation of klpsv_enable_patch() is clean", .inKlpsvVM, .faultInjectable)
        func registration() throws {
            try FaultInjection.requireAvailable()
            try Fixture.runWithPatches { session, patches in
                try FaultInjection.withSettings {
                    try FaultInjection.drive("registration") { nth in
                        try attemptEnable(2, states: "\(2000 + nth)s", newIds: [2000 + UInt64(nth)], session: session,
                                          patches: patches, failing: nth)
                    }
                }
                #expect(try session.debugfs.patches().rows.map(\.name) == ["klpsv_vp2"])
                try expectNoLeaksYet()
            }
        }

        /// A replace collects the states it drops in its pre_patch: the
        /// one allocation of klpsv's state callbacks.
        @Test("a replace: every failed allocation of its registration and pre_patch is clean",
              .inKlpsvVM, .faultInjectable)
        func replace() throws {
            try FaultInjection.requireAvailable()
            try Fixture.runWithPatches { session, patches in
                try FaultInjection.withSettings {
                    try FaultInjection.drive("replace") { nth in
                        if !(try PatchModules(loader: session.loader).isEnabled(VirtualPatches.name(1))) {
                            try patches.removeAll()
                            #expect(try patches.load(1, states: "3s,4") == nil)
                        }
                        return try attemptEnable(2, states: "\(3000 + nth)s,4", newIds: [3000 + UInt64(nth)],
                                                 replace: true, session: session, patches: patches,
                                                 failing: nth)
                    }
                }
                let rows = try session.debugfs.patches().rows
                #expect(rows.map(\.name) == ["klpsv_vp2"], "the replace took over")
                try expectNoLeaksYet()
            }
        }
    }
}

/// Sends `command`, an alloc or get-or-alloc of the shadow <`object`, `id`>,
/// failing its `nth` fault point. A failure must be ENOMEM from klpsv_test,
/// or NULL from klpsv (counted in `nulls`), and change no introspection
/// file; a shadow created despite the fault is freed again, so that the
/// next attempt starts as this one did.
private func attemptShadow(_ command: HookCommand, of object: ShadowObject, id: UInt64, session: KlpsvSession,
                           failing nth: Int, nulls: inout Int) throws -> FaultInjection.Outcome {
    let before = try IntrospectionSnapshot(session)
    let injected = try InjectedCommand(command, session: session, failing: nth)
    let shadow = try injected.shadow()
    guard injected.reached else {
        #expect(injected.error == nil, "\(command.line): failed with no fault injected: \(String(describing: injected.error))")
        #expect(shadow?.found == true, "\(command.line): NULL with no fault injected")
        return .completed
    }
    if let error = injected.error {
        #expect(error == .noMemory, "\(command.line), fault \(nth): \(error)")
    } else if shadow?.found == false {
        nulls += 1
    } else {
        try session.hooks.free(object, id: id)
        return .absorbed
    }
    let after = try IntrospectionSnapshot(session)
    #expect(after == before, "\(command.line), fault \(nth): not as before:\n\(before)\n\(after)")
    return .failed
}

/// Loads virtual patch `number` with `states` and deferred=1, then writes
/// its enable parameter failing the `nth` fault point. A failure must be
/// ENOMEM, leave the patch unregistered and every introspection file as it
/// was, but for the ids `newIds` of its states (see
/// ``IntrospectionSnapshot/isUnchanged(from:butNewIds:)``); the patch is
/// then unloaded. A patch enabled despite the fault is
/// disabled and unloaded again.
private func attemptEnable(_ number: Int, states: String, newIds: Set<UInt64>, replace: Bool = false,
                           session: KlpsvSession, patches: VirtualPatches,
                           failing nth: Int) throws -> FaultInjection.Outcome {
    let name = VirtualPatches.name(number)
    #expect(try patches.load(number, states: states, replace: replace, extra: ["deferred=1"]) == nil)
    let before = try IntrospectionSnapshot(session)
    let fd = try FileDescriptor.open(FilePath("/sys/module/\(name)/parameters/enable"), .writeOnly)
    let (reached, error) = try fd.closeAfter { try FaultInjection.write(Array("1\n".utf8), to: fd, failing: nth) }
    guard reached else {
        #expect(error == nil, "enable of \(name): failed with no fault injected: \(String(describing: error))")
        try patches.waitForTransition(number)
        #expect(try PatchModules(loader: session.loader).isEnabled(name))
        return .completed
    }
    guard let error else {
        try patches.waitForTransition(number)
        try patches.removeAll()
        return .absorbed
    }
    #expect(error == .noMemory, "enable of \(name), fault \(nth): \(error)")
    let after = try IntrospectionSnapshot(session)
    #expect(after.isUnchanged(from: before, butNewIds: newIds),
            "enable of \(name), fault \(nth): not as before:\n\(before)\n\(after)")
    #expect(!(try PatchModules(loader: session.loader).isRegistered(name)))
    try patches.unload(number)
    return .failed
}

/// Waits until kmemleak reports young objects, then records what it finds of
/// klpsv's while the modules are loaded (after their unload, their
/// backtraces no longer name them).
private func expectNoLeaksYet() throws {
    guard Kmemleak.isChecked else { return }
    Thread.sleep(forTimeInterval: Kmemleak.settleTime)
    try Fixture.expectNoLeaks()
}
