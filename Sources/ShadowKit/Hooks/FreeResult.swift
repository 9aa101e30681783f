/// The result of `free` and `free-all`: `dtor=N dtor_ok=B dtor_atomic=B ctx_ok=B`.
public struct FreeResult: Sendable, Equatable {
    /// Destructor calls during the command.
    public var dtorCalls: UInt64
    /// True when every destructor call passed its checks (true when there
    /// were none).
    public var dtorOK: Bool
    /// True when every destructor call ran in atomic context, preemption
    /// disabled, as klpsv runs them (true when there were none).
    public var dtorAtomic: Bool
    /// True when the call ran in the context `ctx=` asked for.
    public var contextOK: Bool

    /// Creates a result.
    public init(dtorCalls: UInt64, dtorOK: Bool = true, dtorAtomic: Bool = true, contextOK: Bool = true) {
        self.dtorCalls = dtorCalls
        self.dtorOK = dtorOK
        self.dtorAtomic = dtorAtomic
        self.contextOK = contextOK
    }

    /// Reads a free result line.
    public init(_ fields: ResultFields) throws(MalformedOutput) {
        self.init(dtorCalls: try fields.number("dtor"), dtorOK: try fields.flag("dtor_ok"),
                  dtorAtomic: try fields.flag("dtor_atomic"), contextOK: try fields.flag("ctx_ok"))
    }
}

/// The result of `set`: `found=0`, or `found=1 ptr=HASH`.
public struct SetResult: Sendable, Equatable {
    /// True when the shadow exists (and was filled).
    public var found: Bool
    /// Its pointer, as the kernel's `%p` hash.
    public var ptr: String?

    /// Creates a result.
    public init(found: Bool, ptr: String? = nil) {
        self.found = found
        self.ptr = ptr
    }

    /// Reads a set result line.
    public init(_ fields: ResultFields) throws(MalformedOutput) {
        let found = try fields.flag("found")
        self.init(found: found, ptr: found ? try fields.pointer("ptr") : nil)
    }
}
