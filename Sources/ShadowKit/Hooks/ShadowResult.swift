/// The result of `alloc`, `get-or-alloc` and `get`:
/// `found=1 ptr=HASH ctor=N ctor_ok=B ctor_atomic=B ctx_ok=B nested=N data=HEX`.
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
    /// True when the call ran in the context `gfp=` asked for (for
    /// `hardirq`: in hard-IRQ context).
    public var contextOK: Bool
    /// Allocations of another id by a `nest` constructor that klpsv did
    /// not refuse (it must refuse them all).
    public var nested: UInt64
    /// The first data bytes (up to 64); empty when not found.
    public var data: [UInt8]

    /// Creates a result.
    public init(found: Bool, ptr: String? = nil, ctorCalls: UInt64 = 0, ctorOK: Bool = true,
                ctorAtomic: Bool = true, contextOK: Bool = true, nested: UInt64 = 0, data: [UInt8] = []) {
        self.found = found
        self.ptr = ptr
        self.ctorCalls = ctorCalls
        self.ctorOK = ctorOK
        self.ctorAtomic = ctorAtomic
        self.contextOK = contextOK
        self.nested = nested
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
        contextOK = try fields.flag("ctx_ok")
        nested = try fields.number("nested")
        if data.count > HookLimits.maxDataShown {
            throw fields.failure("more than \(HookLimits.maxDataShown) data bytes")
        }
    }
}
