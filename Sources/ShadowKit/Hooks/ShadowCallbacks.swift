/// The constructor klpsv_test passes to `alloc` and `get-or-alloc`
/// (`ctor=MODE`).
public enum Constructor: Sendable, Hashable, CustomStringConvertible {
    /// No constructor (NULL).
    case none
    /// Fills the whole data with a byte.
    case fill(UInt8)
    /// Returns `-error` and touches nothing.
    case fail(UInt16)
    /// Allocates a shadow of another id for the same parent, which klpsv
    /// must refuse (a constructor may not call writers), and returns 0.
    case nest(UInt64)

    /// Parses `none`, `fill:B` (B from 0 to 255), `fail:E` (E from 1 to
    /// 4095) or `nest:ID`.
    public init(parsing text: String) throws(InvalidArgument) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        switch (parts[0], parts.count) {
        case ("none", 1):
            self = .none
        case ("fill", 2):
            self = .fill(UInt8(try HookNumber.parse(parts[1], as: "fill byte", in: 0...255)))
        case ("fail", 2):
            self = .fail(UInt16(try HookNumber.parse(parts[1], as: "ctor error", in: HookLimits.constructorErrors)))
        case ("nest", 2):
            self = .nest(try HookNumber.parseID(parts[1]))
        default:
            throw InvalidArgument("invalid ctor '\(text)': expected none, fill:BYTE, fail:ERRNO or nest:ID")
        }
    }

    /// The mode on a command line: `none`, `fill:0xab`, `fail:5`.
    public var description: String {
        switch self {
        case .none: "none"
        case .fill(let byte): "fill:0x" + hex(byte)
        case .fail(let error): "fail:\(error)"
        case .nest(let id): "nest:\(id)"
        }
    }
}

/// The destructor klpsv_test passes to `free` and `free-all` (`dtor=MODE`).
public enum Destructor: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A destructor that counts its calls and checks its arguments.
    case count
    /// No destructor (NULL).
    case none

    /// Parses `count` or `none`.
    public init(parsing text: String) throws(InvalidArgument) {
        guard let value = Self(rawValue: text) else {
            throw InvalidArgument("invalid dtor '\(text)': expected count or none")
        }
        self = value
    }

    /// The mode on a command line.
    public var description: String { rawValue }
}

/// The allocation context of `alloc` and `get-or-alloc` (`gfp=MODE`).
public enum GFP: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `GFP_KERNEL` from process context.
    case kernel
    /// `GFP_ATOMIC` from atomic context, under a bottom-half spinlock.
    case atomic
    /// `GFP_ATOMIC` with interrupts disabled.
    case irqoff
    /// `GFP_ATOMIC` in hard-IRQ context (an irq_work).
    case hardirq

    /// Parses `kernel`, `atomic`, `irqoff` or `hardirq`.
    public init(parsing text: String) throws(InvalidArgument) {
        guard let value = Self(rawValue: text) else {
            throw InvalidArgument("invalid gfp '\(text)': expected kernel, atomic, irqoff or hardirq")
        }
        self = value
    }

    /// The mode on a command line.
    public var description: String { rawValue }
}

/// The calling context of `free` and `free-all` (`ctx=MODE`).
public enum CallContext: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// From process context.
    case process
    /// From atomic context, under a bottom-half spinlock.
    case atomic
    /// With interrupts disabled.
    case irqoff
    /// In hard-IRQ context (an irq_work).
    case hardirq

    /// Parses `process`, `atomic`, `irqoff` or `hardirq`.
    public init(parsing text: String) throws(InvalidArgument) {
        guard let value = Self(rawValue: text) else {
            throw InvalidArgument("invalid ctx '\(text)': expected process, atomic, irqoff or hardirq")
        }
        self = value
    }

    /// The mode on a command line.
    public var description: String { rawValue }
}

/// Two lowercase hex digits.
func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
}
