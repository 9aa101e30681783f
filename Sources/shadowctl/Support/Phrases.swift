import ShadowKit

/// The words of shadowctl's human output.
enum Phrase {
    /// Data bytes shown on one line at most.
    static let dataBytesShown = 16

    /// `<obj a, id 1>`, `<NULL, id 7>`.
    static func key(_ object: ShadowObject, _ id: UInt64) -> String {
        "<\(object), id \(id)>"
    }

    /// `once`, `3 times`.
    static func times(_ count: UInt64) -> String {
        count == 1 ? "once" : "\(count) times"
    }

    /// `ctor ran (atomic)`, `no ctor call`, `ctor ran 2 times (not atomic), CTOR CHECKS FAILED`.
    static func ctor(_ result: ShadowResult) -> String {
        guard result.ctorCalls > 0 else { return "no ctor call" }
        var words = "ctor ran" + (result.ctorCalls == 1 ? "" : " \(result.ctorCalls) times")
        words += result.ctorAtomic ? " (atomic)" : " (not atomic)"
        if !result.ctorOK { words += ", CTOR CHECKS FAILED" }
        return words
    }

    /// `dtor ran once (checks ok)`, `DTOR CHECKS FAILED`.
    static func dtor(_ result: FreeResult) -> String {
        "dtor ran \(times(result.dtorCalls))" + (result.dtorOK ? " (checks ok)" : ", DTOR CHECKS FAILED")
    }

    /// `data ab ab ab …`, `no data`; `size` is the whole data size, when known.
    static func data(_ bytes: [UInt8], size: UInt64? = nil) -> String {
        guard !bytes.isEmpty else { return "no data" }
        let shown = bytes.prefix(dataBytesShown).map { hex($0) }.joined(separator: " ")
        let more = bytes.count > dataBytesShown || UInt64(bytes.count) < (size ?? 0)
        return "data " + shown + (more ? " …" : "")
    }

    /// Two lowercase hex digits.
    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }

    /// Bytes as lowercase hex, as klpsv_test writes them.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { hex($0) }.joined()
    }
}
