import ShadowKit
import Testing

/// What every writer must do in a calling context: the kernel's
/// `klp_shadow_*` work under a bottom-half lock, with interrupts disabled and
/// in hard-IRQ context (`GFP_ATOMIC`), so klpsv's must too; on PREEMPT_RT,
/// where the kernel's take a sleeping spinlock_t, only where a spinlock_t may
/// be taken, and klpsv's refuse the others.
struct ContextCase: Sendable, CustomTestStringConvertible {
    var gfp: GFP
    var context: CallContext
    /// Ids used by this case only, so that the first allocation of each
    /// also creates its id in that context.
    var ids: ClosedRange<UInt64>
    var testDescription: String { context.rawValue }

    /// Whether the writers may be called in this context on the running
    /// kernel.
    var allowed: Bool {
        !(Integration.isPreemptRT && (context == .irqoff || context == .hardirq))
    }
}

/// The hardest context the writers may be called in on the running kernel:
/// hard-IRQ, or on PREEMPT_RT with bottom halves disabled.
private var hardestGFP: GFP { Integration.isPreemptRT ? .atomic : .hardirq }
private var hardestContext: CallContext { Integration.isPreemptRT ? .atomic : .hardirq }

extension InVM {
    @Suite("writers in every context")
    struct ContextTests {
        @Test("alloc, get-or-alloc, free and free-all work where the kernel's do and run where they were asked to; elsewhere they are refused",
              .inKlpsvVM,
              arguments: [
                  ContextCase(gfp: .atomic, context: .atomic, ids: 301...303),
                  ContextCase(gfp: .irqoff, context: .irqoff, ids: 101...103),
                  ContextCase(gfp: .hardirq, context: .hardirq, ids: 201...203),
              ])
        func writersWork(_ c: ContextCase) throws {
            guard c.allowed else {
                try writersRefused(c)
                return
            }
            try Fixture.run { session in
                typealias Counters = KlpsvStats.Counters
                let (first, second, third) = (c.ids.lowerBound, c.ids.lowerBound + 1, c.ids.upperBound)
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.newObject("b")

                let allocated = try session.hooks.alloc(.named("a"), id: first, size: 32, ctor: .fill(0x5c), gfp: c.gfp)
                #expect(allocated.found)
                #expect(allocated.contextOK, "the call did not run in \(c.context) context")
                #expect(allocated.ctorCalls == 1 && allocated.ctorOK && allocated.ctorAtomic)
                #expect(allocated.data == bytes(0x5c, 32))
                let got = try session.hooks.get(.named("a"), id: first, length: 32)
                #expect(got.ptr == allocated.ptr && got.data == bytes(0x5c, 32))

                let created = try session.hooks.getOrAlloc(.named("b"), id: first, size: 32, ctor: .fill(1), gfp: c.gfp)
                #expect(created.found && created.contextOK && created.ctorCalls == 1)
                let existing = try session.hooks.getOrAlloc(.named("a"), id: first, size: 32, ctor: .fill(2), gfp: c.gfp)
                #expect(existing.ptr == allocated.ptr && existing.ctorCalls == 0 && existing.contextOK)
                #expect(existing.data == bytes(0x5c, 32))

                let global = try session.hooks.alloc(.null, id: second, size: 200, gfp: c.gfp)
                #expect(global.found && global.contextOK && global.data == bytes(0, 64))
                #expect(try session.hooks.alloc(.named("a"), id: third, size: 8, gfp: c.gfp).found)
                #expect(try session.hooks.alloc(.named("b"), id: third, size: 8, gfp: c.gfp).found)
                #expect(try session.stats()[id: first] == Counters(live: 2, bytes: 64, allocs: 2, frees: 0))

                #expect(try session.hooks.free(.named("a"), id: first, context: c.context)
                    == FreeResult(dtorCalls: 1, dtorOK: true, dtorAtomic: true, contextOK: true))
                #expect(!(try session.hooks.get(.named("a"), id: first).found))
                #expect(try session.hooks.get(.named("b"), id: first).found)
                #expect(try session.hooks.free(.null, id: second, dtor: .none, context: c.context).contextOK)
                #expect(!(try session.hooks.get(.null, id: second).found))
                #expect(try session.hooks.freeAll(id: third, context: c.context)
                    == FreeResult(dtorCalls: 2, dtorOK: true, dtorAtomic: true, contextOK: true))
                #expect(try session.hooks.freeAll(id: first, context: c.context).dtorCalls == 1)

                let stats = try session.stats()
                #expect(stats[id: first] == Counters(live: 0, bytes: 0, allocs: 2, frees: 2))
                #expect(stats[id: second] == Counters(live: 0, bytes: 0, allocs: 1, frees: 1))
                #expect(stats[id: third] == Counters(live: 0, bytes: 0, allocs: 2, frees: 2))
            }
        }

        /// On PREEMPT_RT (see ``ContextCase``) every refused context is
        /// checked with every writer, and nothing changes.
        private func writersRefused(_ c: ContextCase) throws {
            let (first, second) = (c.ids.lowerBound, c.ids.lowerBound + 1)
            let report = try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                let allocated = try session.hooks.alloc(.named("a"), id: first, size: 32, ctor: .fill(1), gfp: c.gfp)
                #expect(!allocated.found && allocated.contextOK && allocated.ctorCalls == 0)
                let created = try session.hooks.getOrAlloc(.null, id: first, size: 32, ctor: .fill(1), gfp: c.gfp)
                #expect(!created.found && created.contextOK && created.ctorCalls == 0)

                #expect(try session.hooks.alloc(.named("a"), id: second, size: 8, ctor: .fill(2)).found)
                let before = try session.stats()
                #expect(try session.hooks.free(.named("a"), id: second, context: c.context)
                    == FreeResult(dtorCalls: 0, dtorOK: true, dtorAtomic: true, contextOK: true))
                #expect(try session.hooks.freeAll(id: second, context: c.context)
                    == FreeResult(dtorCalls: 0, dtorOK: true, dtorAtomic: true, contextOK: true))
                #expect(try session.hooks.get(.named("a"), id: second, length: 8).data == bytes(2, 8))
                let after = try session.stats()
                #expect(after == before, "a refused writer changed klpsv's stats")
                #expect(after[id: first] == .zero)
                #expect(try session.hooks.freeAll(id: second).dtorCalls == 1)
            }
            #expect(report.log.lines(matching: "refused in atomic context on PREEMPT_RT").count == 4)
        }

        @Test("600 shadows on one id from hard-IRQ context (PREEMPT_RT: bottom halves off): the table grows under atomic inserts, none is lost",
              .inKlpsvVM)
        func manyInHardIRQ() throws {
            let contexts: [GFP] = Integration.isPreemptRT ? [.atomic] : [.hardirq, .irqoff]
            try Fixture.run { session in
                var misses = 0
                for index in 0..<600 {
                    _ = try session.hooks.newObject("o\(index)", size: 8)
                    let result = try session.hooks.alloc(.named("o\(index)"), id: 7, size: 8,
                                                         gfp: contexts[index % contexts.count])
                    if !result.found || !result.contextOK { misses += 1 }
                    if index % 200 == 0 { try session.pollLog() }
                }
                #expect(misses == 0)
                let stats = try session.stats()
                #expect(stats[id: 7].live == 600)
                // An insert fails at 15/16 used: 600 need more than 640 slots.
                #expect((stats.slots(of: 7) ?? 0) > 640, "the tables did not grow")
                #expect(try session.hooks.freeAll(id: 7, context: hardestContext)
                    == FreeResult(dtorCalls: 600, dtorOK: true, dtorAtomic: true, contextOK: true))
            }
        }

        @Test("a constructor's writers are refused with one line each: no deadlock, nothing allocated; get works",
              .inKlpsvVM)
        func constructorWritersRefused() throws {
            let report = try Fixture.run { session in
                _ = try session.hooks.newObject("a")
                // Each constructor tries the other's id: the AB-BA pair that
                // would deadlock if both ran at once.
                let first = try session.hooks.alloc(.named("a"), id: 1, size: 8, ctor: .nest(2))
                #expect(first.found && first.ctorCalls == 1)
                #expect(first.nested == 0, "a writer called from a constructor was not refused")
                let second = try session.hooks.alloc(.named("a"), id: 2, size: 8, ctor: .nest(1),
                                                     gfp: Integration.isPreemptRT ? .atomic : .irqoff)
                #expect(second.found && second.ctorCalls == 1)
                #expect(second.nested == 0, "a writer called from a constructor was not refused")
                #expect(try session.stats()[id: 1].live == 1)
                #expect(try session.stats()[id: 2].live == 1)
                // Of its own id, too.
                let own = try session.hooks.getOrAlloc(.null, id: 3, size: 8, ctor: .nest(3), gfp: hardestGFP)
                #expect(own.found && own.nested == 0)
            }
            #expect(report.log.lines(matching: "refused: called from a shadow constructor").count == 3)
        }

        @Test("a size beyond the allocators is refused with one line, no WARNING; the largest one works",
              .inKlpsvVM)
        func hugeSizeRefused() throws {
            // kmalloc's largest (4 MiB on x86-64 with 4 KiB pages) minus
            // klpsv's 16-byte header.
            let largest: UInt64 = 4 * 1_048_576 - 16
            let report = try Fixture.run { session in
                for size in [UInt64.max / 2, UInt64.max, largest + 1] {
                    let refused = try session.hooks.allocHuge(.null, id: 1, size: size)
                    #expect(!refused.found, "size \(size)")
                }
                #expect(try session.stats()[id: 1].allocs == 0)
                #expect(try session.hooks.allocHuge(.null, id: 1, size: largest).found)
                #expect(try session.stats()[id: 1] == KlpsvStats.Counters(live: 1, bytes: largest, allocs: 1, frees: 0))
            }
            #expect(report.log.lines(matching: "is beyond the largest shadow").count == 3)
        }

        @Test("every destructor runs with preemption disabled (PREEMPT_RT: pinned to its CPU): explicit or the state's, by free, free-all or state removal",
              .inKlpsvVM)
        func destructorsRunAtomic() throws {
            try Fixture.runWithPatches { session, patches in
                let callbacks = CallbackLog(session.cursor)
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.newObject("b")
                _ = try session.hooks.newObject("c")
                // Explicit destructors, from a preemptible caller.
                _ = try session.hooks.alloc(.named("a"), id: 5, size: 8)
                _ = try session.hooks.alloc(.named("b"), id: 5, size: 8)
                #expect(try session.hooks.free(.named("a"), id: 5).dtorAtomic)
                #expect(try session.hooks.freeAll(id: 5) == FreeResult(dtorCalls: 1, dtorOK: true, dtorAtomic: true))

                // The state's shadow_dtor: its patch allocates a global shadow of
                // id 1 in post_patch.
                #expect(try patches.load(1, states: "1s") == nil)
                _ = try callbacks.next()
                #expect(try session.hooks.alloc(.named("a"), id: 1, size: 8).found)
                #expect(try session.hooks.alloc(.named("b"), id: 1, size: 8).found)
                #expect(try session.hooks.alloc(.named("c"), id: 1, size: 8).found)
                try session.hooks.free(.named("a"), id: 1, dtor: .none)
                #expect(destructors(try callbacks.next()) == ["object, atomic"], "free with a NULL dtor")
                try session.hooks.free(.named("b"), id: 1, dtor: .none, context: hardestContext)
                #expect(destructors(try callbacks.next()) == ["object, atomic"], "the same from \(hardestContext) context")
                try patches.setEnabled(1, false)
                #expect(destructors(try callbacks.next()).sorted() == ["global, atomic", "object, atomic"],
                        "the free_all of the state's removal")
                #expect(try session.stats()[id: 1].live == 0)
            }
        }
    }
}

/// What the virtual patches' shadow_dtor said of each call: `object, atomic`.
private func destructors(_ lines: [String]) -> [String] {
    lines.compactMap { line in
        guard let open = line.range(of: "shadow_dtor ("), let close = line.lastIndex(of: ")") else { return nil }
        return String(line[open.upperBound..<close])
    }
}
