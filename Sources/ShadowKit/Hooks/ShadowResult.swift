/// The result of `alloc`, `get-or-alloc` and `get`:
/// `found=1 ptr=HASH ctor=N ctor_ok=B ctor_atomic=B data=HEX`.
public struct ShadowResult: Sendable, Equatable {
    /// True when the API returned a pointer, false for NULL.
    public var found: Bool
    /// That pointer, as the kernel's `%p` hash; `nil` when not found.
    public var ptr: String?
    /// Constructor calls during the command.
    public var ctorCalls: UInt64
    /// True when every constructor call saw the expected arguments and
    /// zeroed data (true when there were none).
    public var ctorOK: Bool
    /// True when every constructor call ran in atomic context (true when
    /// there were none).
    public var ctorAtomic: Bool
    /// The first data bytes (up to 64); empty when not found.
    public var data: [UInt8]

    /// Creates a result.
    public init(found: Bool, ptr: String? = nil, ctorCalls: UInt64 = 0, ctorOK: Bool = true,
                ctorAtomic: Bool = true, data: [UInt8] = []) {
        self.found = found
        self.ptr = ptr
        self.ctorCalls = ctorCalls
        self.ctorOK = ctorOK
        self.ctorAtomic = ctorAtomic
        self.data = data
    }

    /// Reads a shadow result line.
    public init(_ fields: ResultFields) throws(MalformedOutput) {
        let found = try fields.flag("found")
        self.init(
            found: found,
            ptr: found ? try fields.pointer("ptr") : nil,
            ctorCalls: try fields.number("ctor"),
            ctorOK: try fields.flag("ctor_ok"),
            ctorAtomic: try fields.flag("ctor_atomic"),
            data: found ? try fields.bytes("data") : [])
        if data.count > HookLimits.maxDataShown {
            throw fields.failure("more than \(HookLimits.maxDataShown) data bytes")
        }
    }
}
