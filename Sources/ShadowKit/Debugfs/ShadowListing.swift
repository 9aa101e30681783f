/// klpsv's `shadows` file: every live shadow, by id.
///
/// ```
/// id obj size
/// 1 00000000c0ffee12 64
/// 1 null 8
/// # truncated: 3 more
/// ```
public struct ShadowListing: Sendable, Equatable {
    /// One live shadow.
    public struct Entry: Sendable, Equatable, Hashable {
        /// Its id.
        public var id: UInt64
        /// Its parent object: the `%p` hash of its pointer, or `nil` for a
        /// global shadow (NULL object, printed `null`).
        public var object: String?
        /// Its data size in bytes.
        public var size: UInt64

        /// Creates an entry.
        public init(id: UInt64, object: String?, size: UInt64) {
            self.id = id
            self.object = object
            self.size = size
        }
    }

    /// The shadows listed.
    public var entries: [Entry]
    /// How many more shadows exist than were listed (the file's
    /// `# truncated: N more` line); 0 when the listing is complete.
    public var truncatedCount: UInt64

    /// True when the file stopped at klpsv's `list_max` limit.
    public var isTruncated: Bool { truncatedCount > 0 }

    /// Creates a listing from parts.
    public init(entries: [Entry], truncatedCount: UInt64 = 0) {
        self.entries = entries
        self.truncatedCount = truncatedCount
    }

    /// Parses the text of the `shadows` file.
    ///
    /// - Throws: ``MalformedOutput`` for a missing column, a bad field, or a
    ///   `#` line other than the truncation marker.
    public init(parsing text: String) throws(MalformedOutput) {
        let table = try ColumnTable(parsing: text, source: "klpsv shadows")
        let id = try table.column("id"), object = try table.column("obj"), size = try table.column("size")
        var entries: [Entry] = []
        for row in table.rows {
            let pointer = row.fields[object]
            guard pointer == "null" || (!pointer.isEmpty && pointer.allSatisfy(\.isHexDigit)) else {
                throw MalformedOutput(source: table.source, line: row.line,
                                      reason: "'obj' is neither a hashed pointer nor null", text: row.text)
            }
            entries.append(Entry(id: try table.number(row, id),
                                 object: pointer == "null" ? nil : String(pointer),
                                 size: try table.number(row, size)))
        }
        var truncated: UInt64 = 0
        for comment in table.comments {
            guard let count = Self.truncatedCount(comment.text) else {
                throw MalformedOutput(source: table.source, line: comment.line,
                                      reason: "unknown comment", text: String(comment.text))
            }
            truncated = count
        }
        self.init(entries: entries, truncatedCount: truncated)
    }

    private static func truncatedCount(_ line: Substring) -> UInt64? {
        let words = line.split(separator: " ")
        guard words.count == 4, words[0] == "#", words[1] == "truncated:", words[3] == "more" else {
            return nil
        }
        return UInt64(words[2])
    }
}
