/// The parent object of a shadow variable, as klpsv_test names it: one of
/// its parent objects by name, or the NULL object of a global shadow.
public enum ShadowObject: Sendable, Hashable, CustomStringConvertible {
    /// No object: a global shadow.
    case null
    /// A parent object created with `obj new`.
    case named(String)

    /// The word for the NULL object.
    public static let nullToken = "null"

    /// Parses `null` or an object name.
    public init(parsing token: String) throws(InvalidArgument) {
        if token == Self.nullToken {
            self = .null
        } else {
            try ObjectName.validate(token)
            self = .named(token)
        }
    }

    /// The token on a command line: the name, or `null`.
    public var token: String {
        switch self {
        case .null: Self.nullToken
        case .named(let name): name
        }
    }

    /// `obj a`, or `NULL` for a global shadow.
    public var description: String {
        switch self {
        case .null: "NULL"
        case .named(let name): "obj \(name)"
        }
    }
}

/// The names of klpsv_test's parent objects: 1 to 31 characters of
/// `[A-Za-z0-9_.-]`, never `null`.
public enum ObjectName {
    /// True when `name` is a valid object name.
    public static func isValid(_ name: String) -> Bool {
        HookLimits.nameLengths.contains(name.utf8.count) && name != ShadowObject.nullToken
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
                     UInt8(ascii: "-"):
                    true
                default:
                    false
                }
            }
    }

    /// Throws unless `name` is a valid object name.
    public static func validate(_ name: String) throws(InvalidArgument) {
        guard isValid(name) else {
            if name == ShadowObject.nullToken {
                throw InvalidArgument("invalid object name 'null': the word means the NULL object")
            }
            throw InvalidArgument(
                "invalid object name '\(name)': expected 1 to 31 characters of A-Z a-z 0-9 _ . -")
        }
    }
}
