import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the live shadow variables.",
            discussion: """
                Parent objects show as the kernel's hash of their pointer, or null for \
                global shadows. klpsv lists at most list_max shadows (a module parameter).
                """)

        @OptionGroup var output: OutputOptions

        func run() throws {
            let listing = try Environment().debugfs.shadows()
            if output.json {
                try printJSON(ListingJSON(listing))
                return
            }
            if listing.entries.isEmpty && !listing.isTruncated {
                print("no live shadows")
                return
            }
            var table = TextTable([("id", .left), ("obj", .left), ("size", .right)])
            for entry in listing.entries {
                table.append(["\(entry.id)", entry.object ?? "null", "\(entry.size)"])
            }
            table.lines.forEach { print($0) }
            if listing.isTruncated {
                print("… \(listing.truncatedCount) more not listed (klpsv's list_max)")
            }
        }
    }
}

/// The shadow listing as JSON.
struct ListingJSON: Encodable {
    struct Entry: Encodable {
        var id: UInt64
        var obj: String?
        var size: UInt64

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(obj, forKey: .obj)
            try container.encode(size, forKey: .size)
        }

        enum CodingKeys: String, CodingKey { case id, obj, size }
    }

    var shadows: [Entry]
    var truncated: UInt64

    init(_ listing: ShadowListing) {
        shadows = listing.entries.map { Entry(id: $0.id, obj: $0.object, size: $0.size) }
        truncated = listing.truncatedCount
    }
}
