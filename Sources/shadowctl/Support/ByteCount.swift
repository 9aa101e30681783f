/// `bytes` for people: `512 B`, `8.0 KiB`, `1.5 MiB`, with one decimal from
/// a KiB on.
func byteCount(_ bytes: UInt64) -> String {
    guard bytes >= 1024 else { return "\(bytes) B" }
    var value = Double(bytes) / 1024
    var units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"][...]
    // 1023.96 KiB would read "1024.0 KiB": that is the next unit's 1.0.
    while value >= 1023.95, units.count > 1 {
        value /= 1024
        units = units.dropFirst()
    }
    return fixed(value, 1) + " " + units.first!
}
