import ShadowKit
import Testing

@Suite("klpsv shadows parser")
struct ShadowListingTests {
    @Test func parsesTheDocumentedExample() throws {
        let listing = try ShadowListing(parsing: "id obj size\n1 00000000c0ffee12 64\n1 null 8\n")
        #expect(listing.entries == [
            .init(id: 1, object: "00000000c0ffee12", size: 64),
            .init(id: 1, object: nil, size: 8),
        ])
        #expect(!listing.isTruncated)
        #expect(listing.truncatedCount == 0)
    }

    @Test func readsTheTruncationMarker() throws {
        var text = "id obj size\n"
        for id in 1...5 { text += "\(id) null 16\n" }
        text += "# truncated: 3 more\n"
        let listing = try ShadowListing(parsing: text)
        #expect(listing.entries.count == 5)
        #expect(listing.isTruncated)
        #expect(listing.truncatedCount == 3)
    }

    @Test func anEmptyStoreListsNothing() throws {
        let listing = try ShadowListing(parsing: "id obj size\n")
        #expect(listing.entries.isEmpty)
    }

    @Test(arguments: [
        ("id obj size\n1 0xffff 8\n", "'obj' is neither a hashed pointer nor null"),
        ("id obj size\n1 (null) 8\n", "'obj' is neither a hashed pointer nor null"),
        ("id obj size\n1 null\n", "expected 3 columns, got 2"),
        ("id obj size\n1 null -8\n", "'size' is not a number"),
        ("id object size\n", "no 'obj' column"),
        ("id obj size\n# something else\n", "unknown comment"),
        ("id obj size\n# truncated: many more\n", "unknown comment"),
    ])
    func refusesMalformedText(text: String, reason: String) {
        let error = #expect(throws: MalformedOutput.self) { try ShadowListing(parsing: text) }
        #expect(error?.reason == reason)
    }
}
