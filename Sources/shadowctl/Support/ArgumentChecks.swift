import ArgumentParser
import ShadowKit

/// Parsing of shadowctl's arguments, shared by `validate()` (which reports
/// a `ValidationError`) and `run()` (which then cannot fail).
enum Checked {
    static func object(_ text: String) throws -> ShadowObject {
        try validating { () throws(InvalidArgument) in try ShadowObject(parsing: text) }
    }

    static func name(_ text: String) throws -> String {
        try validating { () throws(InvalidArgument) in try ObjectName.validate(text) }
        return text
    }

    static func id(_ text: String) throws -> UInt64 {
        try validating { () throws(InvalidArgument) in try HookNumber.parseID(text) }
    }

    static func number(_ text: String, as what: String, in range: ClosedRange<UInt64>) throws -> UInt64 {
        try validating { () throws(InvalidArgument) in try HookNumber.parse(text, as: what, in: range) }
    }

    static func size(_ text: String) throws -> UInt64 {
        try number(text, as: "size", in: HookLimits.shadowSizes)
    }

    /// A module parameter, `NAME=VALUE`.
    static func parameter(_ text: String) throws {
        let name = text.prefix { $0 != "=" }
        guard !name.isEmpty, name.count < text.count,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw ValidationError("invalid module parameter '\(text)': expected NAME=VALUE")
        }
    }

    /// A module or livepatch name: letters, digits, `_` and `-`, at most
    /// 55 characters (the kernel's `MODULE_NAME_LEN` less its NUL).
    @discardableResult
    static func moduleName(_ text: String) throws -> String {
        guard !text.isEmpty, text.utf8.count <= 55,
              text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw ValidationError("invalid module name '\(text)': expected up to 55 letters, digits, _ or -")
        }
        return text
    }

    private static func validating<T>(_ body: () throws(InvalidArgument) -> T) throws(ValidationError) -> T {
        do {
            return try body()
        } catch {
            throw ValidationError(error.description)
        }
    }
}
