/// The lines of `/proc/meminfo` that a shadow store's memory shows in:
/// slab objects (`Slab`), vmalloc'd tables (`VmallocUsed`) and per-CPU
/// counters (`Percpu`), in bytes.
///
/// ```
/// Slab:              41236 kB
/// VmallocUsed:        9948 kB
/// Percpu:              912 kB
/// ```
public struct MemInfo: Sendable, Equatable, Hashable {
    /// The file.
    public static let path = "/proc/meminfo"
    /// Writing `1` to it folds the per-CPU deltas of the kernel's memory
    /// counters into the totals that ``path`` shows (root only).
    public static let refreshPath = "/proc/sys/vm/stat_refresh"

    /// Slab objects, reclaimable or not, in bytes.
    public var slab: UInt64
    /// vmalloc'd memory, in bytes.
    public var vmallocUsed: UInt64
    /// Per-CPU allocations, in bytes.
    public var percpu: UInt64

    /// Creates a reading from its parts, in bytes.
    public init(slab: UInt64, vmallocUsed: UInt64, percpu: UInt64) {
        self.slab = slab
        self.vmallocUsed = vmallocUsed
        self.percpu = percpu
    }

    /// What the kernel's allocators hand out that a shadow store can use:
    /// `Slab` + `VmallocUsed` + `Percpu`, in bytes.
    public var used: UInt64 { slab + vmallocUsed + percpu }

    /// Parses the text of `/proc/meminfo`; every other line is ignored.
    ///
    /// - Throws: ``MalformedOutput`` when one of the three lines is missing,
    ///   or is not a number of kB.
    public init(parsing text: String) throws(MalformedOutput) {
        var values: [String: UInt64] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let key = words.first, key.hasSuffix(":") else { continue }
            let name = String(key.dropLast())
            guard ["Slab", "VmallocUsed", "Percpu"].contains(name), values[name] == nil else { continue }
            guard words.count == 3, words[2] == "kB", let kilobytes = UInt64(words[1]),
                  kilobytes <= UInt64.max / 1024 else {
                throw MalformedOutput(source: Self.path, line: index + 1, reason: "'\(name)' is not a number of kB",
                                      text: String(line))
            }
            values[name] = kilobytes * 1024
        }
        for name in ["Slab", "VmallocUsed", "Percpu"] where values[name] == nil {
            throw MalformedOutput(source: Self.path, reason: "no '\(name)' line", text: text)
        }
        self.init(slab: values["Slab"]!, vmallocUsed: values["VmallocUsed"]!, percpu: values["Percpu"]!)
    }
}
