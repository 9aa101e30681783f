import Dispatch
import ShadowKit
import Synchronization
import SystemPackage
import Testing

extension InVM {
    @Suite("stats and shadows files")
    struct IntrospectionTests {
        @Test("stats track live, bytes, allocs and frees exactly", .inKlpsvVM)
        func statsTrackExactly() throws {
            try Fixture.run { session in
                typealias Counters = KlpsvStats.Counters
                _ = try session.hooks.newObject("a")
                _ = try session.hooks.newObject("b")
                _ = try session.hooks.alloc(.null, id: 1, size: 10)
                _ = try session.hooks.alloc(.named("a"), id: 1, size: 20)
                _ = try session.hooks.alloc(.named("b"), id: 1, size: 30)
                var stats = try session.stats()
                #expect(stats[id: 1] == Counters(live: 3, bytes: 60, allocs: 3, frees: 0))
                #expect(stats.total == Counters(live: 3, bytes: 60, allocs: 3, frees: 0))
                try session.hooks.free(.named("a"), id: 1)
                #expect(try session.stats()[id: 1] == Counters(live: 2, bytes: 40, allocs: 3, frees: 1))
                _ = try session.hooks.alloc(.named("a"), id: 2, size: 5)
                stats = try session.stats()
                #expect(stats[id: 2] == Counters(live: 1, bytes: 5, allocs: 1, frees: 0))
                #expect(stats.total == Counters(live: 3, bytes: 45, allocs: 4, frees: 1))
                try session.hooks.freeAll(id: 1)
                #expect(try session.stats()[id: 1] == Counters(live: 0, bytes: 0, allocs: 3, frees: 3))
                try session.hooks.free(.named("a"), id: 2)
                stats = try session.stats()
                #expect(stats.total == Counters(live: 0, bytes: 0, allocs: 4, frees: 4))
                #expect(stats.rows.map(\.id) == [1, 2])
            }
        }

        @Test("the listing shows each shadow with its object's hash, and no raw address", .inKlpsvVM)
        func listingShowsHashes() throws {
            try Fixture.run { session in
                let a = try #require(try session.hooks.newObject("a").ptr)
                let b = try #require(try session.hooks.newObject("b").ptr)
                var pointers = [a, b]
                pointers.append(contentsOf: try [
                    session.hooks.alloc(.named("a"), id: 1, size: 64),
                    session.hooks.alloc(.named("b"), id: 1, size: 32),
                    session.hooks.alloc(.null, id: 1, size: 8),
                    session.hooks.alloc(.named("a"), id: 2, size: 16),
                ].compactMap(\.ptr))
                let listing = try session.shadows()
                #expect(!listing.isTruncated)
                #expect(Set(listing.entries) == [
                    .init(id: 1, object: a, size: 64), .init(id: 1, object: b, size: 32),
                    .init(id: 1, object: nil, size: 8), .init(id: 2, object: a, size: 16),
                ])
                #expect(listing.entries.map(\.id) == listing.entries.map(\.id).sorted())
                let text = try session.debugfs.shadowsText() + session.debugfs.statsText()
                #expect(!containsRawKernelAddress(text), "raw kernel address in: \(text)")
                #expect(!pointers.contains { containsRawKernelAddress($0) }, "raw kernel address in \(pointers)")
            }
        }

        @Test("a listing made while shadows are freed shows only the sizes allocated, never a freed word",
              .inKlpsvVM)
        func listingDuringFrees() throws {
            try Fixture.run { session in
                // Shadows that stay, of sizes the race does not use.
                _ = try session.hooks.newObject("a")
                #expect(try session.hooks.alloc(.named("a"), id: 1, size: 40).found)
                #expect(try session.hooks.alloc(.null, id: 1, size: 24).found)
                let allowed: [UInt64: Set<UInt64>] = [1: [40, 24], 12: [16]]
                let lister = ListingProbe(debugfs: session.debugfs, allowed: allowed)
                let done = DispatchSemaphore(value: 0)
                DispatchQueue.global().async {
                    lister.run()
                    done.signal()
                }
                // One racing thread frees and creates 16-byte shadows of id 12
                // while the lister reads the listing on the other CPU.
                let race = try session.hooks.race(id: 12, threads: 1, iterations: 300_000, objects: 64)
                lister.stop()
                done.wait()
                #expect(race.ok)
                let outcome = lister.outcome
                #expect(outcome.listings > 0 && outcome.raceEntries > 0, "the lister saw nothing: \(outcome)")
                #expect(outcome.errors.isEmpty, "listed: \(outcome.errors.prefix(5))")
                #expect(outcome.rawAddresses == 0, "raw kernel addresses listed")
            }
        }

        @Test("the listing stops at list_max and says how many more there are", .inKlpsvVM)
        func listingIsBounded() throws {
            try Fixture.run(klpsvParameters: ["list_max=5"]) { session in
                for id in 1...8 {
                    #expect(try session.hooks.alloc(.null, id: UInt64(id), size: 4).found)
                }
                let listing = try session.shadows()
                #expect(listing.entries.count == 5)
                #expect(listing.truncatedCount == 3)
                #expect(try session.debugfs.shadowsText().hasSuffix("# truncated: 3 more\n"))
            }
        }

        @Test("klpsv's debugfs files cannot be opened for writing", .inKlpsvVM)
        func filesAreReadOnly() throws {
            try Fixture.run { session in
                _ = try session.hooks.alloc(.null, id: 1, size: 8)
                let before = try session.debugfs.statsText()
                for path in [session.debugfs.statsPath, session.debugfs.shadowsPath] {
                    for mode in [FileDescriptor.AccessMode.writeOnly, .readWrite] {
                        let error = #expect(throws: Errno.self, "\(path) opened for writing") {
                            let fd = try FileDescriptor.open(FilePath(path), mode)
                            try? fd.close()
                        }
                        if let error {
                            #expect(error == .permissionDenied || error == .notPermitted)
                        }
                    }
                }
                #expect(try session.debugfs.statsText() == before)
            }
        }
    }
}

/// Reads klpsv's shadow listing in a loop until stopped, checking that every
/// entry has a size the test allocated for its id.
final class ListingProbe: Sendable {
    struct Outcome: Sendable, CustomStringConvertible {
        var listings = 0
        var raceEntries = 0
        var rawAddresses = 0
        var errors: [String] = []
        var description: String { "\(listings) listings, \(raceEntries) entries of the race" }
    }

    private let debugfs: KlpsvDebugfs
    private let allowed: [UInt64: Set<UInt64>]
    private let stopped = Mutex(false)
    private let state = Mutex(Outcome())

    init(debugfs: KlpsvDebugfs, allowed: [UInt64: Set<UInt64>]) {
        self.debugfs = debugfs
        self.allowed = allowed
    }

    var outcome: Outcome { state.withLock { $0 } }

    func stop() {
        stopped.withLock { $0 = true }
    }

    func run() {
        while !stopped.withLock({ $0 }) {
            var round = Outcome()
            do {
                let text = try debugfs.shadowsText()
                if containsRawKernelAddress(text) { round.rawAddresses += 1 }
                for entry in try ShadowListing(parsing: text).entries {
                    if entry.id == 12 { round.raceEntries += 1 }
                    if !(allowed[entry.id]?.contains(entry.size) ?? false) {
                        round.errors.append("id \(entry.id) size \(entry.size)")
                    }
                }
            } catch {
                round.errors.append("\(error)")
            }
            state.withLock {
                $0.listings += 1
                $0.raceEntries += round.raceEntries
                $0.rawAddresses += round.rawAddresses
                $0.errors += round.errors
            }
        }
    }
}
