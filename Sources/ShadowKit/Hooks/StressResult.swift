/// The result of `stress`: `ok=B seconds=S threads=T gets=N hits=N allocs=N
/// atomic_allocs=N failed=N atomic_failed=N frees=N atomic_frees=N free_alls=N ctor=N
/// dtor_run=N live=N dtor=N errors=N`.
public struct StressResult: Sendable, Equatable {
    /// True when no check failed and constructions balance destructions:
    /// `ctorCalls == dtorCallsDuringRun + live == dtorCalls`.
    public var ok: Bool
    /// How long the threads ran.
    public var seconds: UInt64
    /// Kernel threads run.
    public var threads: UInt64
    /// `get` calls made.
    public var gets: UInt64
    /// Of those, the ones that found a shadow.
    public var hits: UInt64
    /// `get_or_alloc` calls with `GFP_KERNEL`.
    public var allocs: UInt64
    /// `get_or_alloc` calls with `GFP_ATOMIC`, bottom halves or interrupts
    /// disabled.
    public var atomicAllocs: UInt64
    /// `GFP_KERNEL` `get_or_alloc` calls that returned NULL (klpsv finds
    /// no room in a table that a free-all is emptying).
    public var failedAllocs: UInt64
    /// `GFP_ATOMIC` `get_or_alloc` calls that returned NULL.
    public var failedAtomicAllocs: UInt64
    /// `free` calls from the threads.
    public var frees: UInt64
    /// `free` calls with bottom halves or interrupts disabled.
    public var atomicFrees: UInt64
    /// `free_all` calls.
    public var freeAlls: UInt64
    /// Constructor calls (shadows created).
    public var ctorCalls: UInt64
    /// Destructor calls while the threads ran.
    public var dtorCallsDuringRun: UInt64
    /// Shadows left when the threads were done.
    public var live: UInt64
    /// Destructor calls in all, the final cleanup's included.
    public var dtorCalls: UInt64
    /// Failed checks: a shadow that was not its object's, a constructor or
    /// destructor called wrongly or outside atomic context.
    public var errors: UInt64

    /// Creates a result.
    public init(ok: Bool, seconds: UInt64, threads: UInt64, gets: UInt64, hits: UInt64,
                allocs: UInt64, atomicAllocs: UInt64, failedAllocs: UInt64, failedAtomicAllocs: UInt64, frees: UInt64,
                atomicFrees: UInt64, freeAlls: UInt64, ctorCalls: UInt64, dtorCallsDuringRun: UInt64,
                live: UInt64, dtorCalls: UInt64, errors: UInt64) {
        self.ok = ok
        self.seconds = seconds
        self.threads = threads
        self.gets = gets
        self.hits = hits
        self.allocs = allocs
        self.atomicAllocs = atomicAllocs
        self.failedAllocs = failedAllocs
        self.failedAtomicAllocs = failedAtomicAllocs
        self.frees = frees
        self.atomicFrees = atomicFrees
        self.freeAlls = freeAlls
        self.ctorCalls = ctorCalls
        self.dtorCallsDuringRun = dtorCallsDuringRun
        self.live = live
        self.dtorCalls = dtorCalls
        self.errors = errors
    }

    /// Reads a stress result line.
    public init(_ fields: ResultFields) throws(MalformedOutput) {
        self.init(
            ok: try fields.flag("ok"), seconds: try fields.number("seconds"),
            threads: try fields.number("threads"), gets: try fields.number("gets"),
            hits: try fields.number("hits"), allocs: try fields.number("allocs"),
            atomicAllocs: try fields.number("atomic_allocs"), failedAllocs: try fields.number("failed"),
            failedAtomicAllocs: try fields.number("atomic_failed"),
            frees: try fields.number("frees"), atomicFrees: try fields.number("atomic_frees"),
            freeAlls: try fields.number("free_alls"), ctorCalls: try fields.number("ctor"),
            dtorCallsDuringRun: try fields.number("dtor_run"), live: try fields.number("live"),
            dtorCalls: try fields.number("dtor"), errors: try fields.number("errors"))
    }
}
