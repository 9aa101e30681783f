/// The result of `race`:
/// `ok=B threads=T iterations=I gets=N hits=N ctor=N dtor=N errors=N`.
public struct RaceResult: Sendable, Equatable {
    /// True when no pattern check failed and every constructed shadow was
    /// destroyed exactly once.
    public var ok: Bool
    /// Kernel threads run.
    public var threads: UInt64
    /// Iterations per thread.
    public var iterations: UInt64
    /// `get` calls made.
    public var gets: UInt64
    /// Of those, the ones that found a shadow.
    public var hits: UInt64
    /// Constructor calls (shadows created).
    public var ctorCalls: UInt64
    /// Destructor calls (shadows freed).
    public var dtorCalls: UInt64
    /// Failed checks.
    public var errors: UInt64

    /// Creates a result.
    public init(ok: Bool, threads: UInt64, iterations: UInt64, gets: UInt64, hits: UInt64,
                ctorCalls: UInt64, dtorCalls: UInt64, errors: UInt64) {
        self.ok = ok
        self.threads = threads
        self.iterations = iterations
        self.gets = gets
        self.hits = hits
        self.ctorCalls = ctorCalls
        self.dtorCalls = dtorCalls
        self.errors = errors
    }

    /// Reads a race result line.
    public init(_ fields: ResultFields) throws(MalformedOutput) {
        self.init(
            ok: try fields.flag("ok"), threads: try fields.number("threads"),
            iterations: try fields.number("iterations"), gets: try fields.number("gets"),
            hits: try fields.number("hits"), ctorCalls: try fields.number("ctor"),
            dtorCalls: try fields.number("dtor"), errors: try fields.number("errors"))
    }
}
