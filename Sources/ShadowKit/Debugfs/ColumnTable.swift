/// A whitespace-separated table with a header line, the shape of klpsv's
/// debugfs files: columns are found by header name, so columns appended by
/// later versions are ignored, and `#` lines are kept aside as comments.
struct ColumnTable {
    /// One data row: its fields, and its line number for error messages.
    struct Row {
        var line: Int
        var text: String
        var fields: [Substring]
    }

    var header: [Substring]
    var rows: [Row] = []
    var comments: [(line: Int, text: Substring)] = []
    let source: String

    init(parsing text: String, source: String) throws(MalformedOutput) {
        self.source = source
        var header: [Substring]?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty { continue }
            if line.hasPrefix("#") {
                comments.append((index + 1, line))
            } else if header == nil {
                header = fields
            } else if fields.count != header!.count {
                throw MalformedOutput(
                    source: source, line: index + 1,
                    reason: "expected \(header!.count) columns, got \(fields.count)", text: String(line))
            } else {
                rows.append(Row(line: index + 1, text: String(line), fields: fields))
            }
        }
        guard let header else {
            throw MalformedOutput(source: source, reason: "no header line", text: text)
        }
        self.header = header
    }

    /// The index of column `name`.
    func column(_ name: String) throws(MalformedOutput) -> Int {
        guard let index = header.firstIndex(where: { $0 == name }) else {
            throw MalformedOutput(
                source: source, line: 1, reason: "no '\(name)' column",
                text: header.joined(separator: " "))
        }
        return index
    }

    /// Field `column` of `row` as an unsigned decimal number.
    func number(_ row: Row, _ column: Int) throws(MalformedOutput) -> UInt64 {
        guard let value = UInt64(row.fields[column]) else {
            throw MalformedOutput(
                source: source, line: row.line,
                reason: "'\(header[column])' is not a number", text: row.text)
        }
        return value
    }
}
