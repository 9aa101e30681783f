import ShadowKit
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
