import SystemPackage

/// A client of klpsv_test, which drives klpsv's shadow API from user space
/// (`docs/test-hooks.md`).
///
/// ```swift
/// let hooks = try TestHooks(debugfs: .fromEnvironment())
/// let object = try hooks.newObject("a")
/// let shadow = try hooks.alloc(.named("a"), id: 1, size: 64, ctor: .fill(0xab))
/// ```
///
/// Methods throw ``HookError`` when klpsv_test refuses a command (nothing
/// happened) and ``MalformedOutput`` when its result has the wrong shape.
/// A NULL from the shadow API is not an error: the result says `found`.
public struct TestHooks: Sendable {
    private let channel: any ControlChannel

    /// Creates a client on `channel`.
    public init(channel: any ControlChannel) {
        self.channel = channel
    }

    /// Creates a client on the `ctl` file of `debugfs`, after checking that
    /// klpsv_test is loaded.
    public init(debugfs: KlpsvDebugfs) throws(DebugfsError) {
        try debugfs.checkHooksLoaded()
        self.init(channel: ControlFile(path: debugfs.controlPath))
    }

    /// Sends `command` and returns its result line, unparsed.
    public func send(_ command: HookCommand) throws(HookError) -> String {
        try send(rawLine: command.line)
    }

    /// Sends `line` as it is (a newline is added), for commands the typed
    /// API cannot express, such as malformed ones.
    public func send(rawLine line: String) throws(HookError) -> String {
        do {
            return try channel.exchange(line + "\n")
        } catch {
            throw HookError(command: line, errno: error)
        }
    }

    /// Sends `command` and returns its result's fields.
    public func fields(_ command: HookCommand) throws -> ResultFields {
        try ResultFields(parsing: send(command))
    }

    /// `obj new`: creates parent object `name`; the result has its hash.
    public func newObject(_ name: String, size: UInt64? = nil) throws -> ObjectResult {
        try ObjectResult(fields(.newObject(name: name, size: size)))
    }

    /// `obj del`: frees parent object `name` (its shadows stay).
    @discardableResult
    public func deleteObject(_ name: String) throws -> ObjectResult {
        try ObjectResult(fields(.deleteObject(name: name)))
    }

    /// `obj list`: the parent objects, in creation order.
    public func listObjects() throws -> ObjectList {
        try ObjectList(fields(.listObjects))
    }

    /// `alloc`: `klpsv_shadow_alloc()`.
    public func alloc(_ object: ShadowObject, id: UInt64, size: UInt64,
                      ctor: Constructor = .none, gfp: GFP = .kernel) throws -> ShadowResult {
        try ShadowResult(fields(.alloc(object, id: id, size: size, ctor: ctor, gfp: gfp)))
    }

    /// `alloc-huge`: `klpsv_shadow_alloc()` with any size, beyond the
    /// limit of `alloc`.
    public func allocHuge(_ object: ShadowObject, id: UInt64, size: UInt64) throws -> ShadowResult {
        try ShadowResult(fields(.allocHuge(object, id: id, size: size)))
    }

    /// `get-or-alloc`: `klpsv_shadow_get_or_alloc()`.
    public func getOrAlloc(_ object: ShadowObject, id: UInt64, size: UInt64,
                           ctor: Constructor = .none, gfp: GFP = .kernel) throws -> ShadowResult {
        try ShadowResult(fields(.getOrAlloc(object, id: id, size: size, ctor: ctor, gfp: gfp)))
    }

    /// `get`: `klpsv_shadow_get()`, with the first `length` data bytes.
    public func get(_ object: ShadowObject, id: UInt64, length: UInt64 = 0) throws -> ShadowResult {
        try ShadowResult(fields(.get(object, id: id, length: length)))
    }

    /// `set`: fills the first `length` data bytes of an existing shadow.
    @discardableResult
    public func set(_ object: ShadowObject, id: UInt64, byte: UInt8, length: UInt64) throws -> SetResult {
        try SetResult(fields(.set(object, id: id, byte: byte, length: length)))
    }

    /// `free`: `klpsv_shadow_free()`, called in `context`.
    @discardableResult
    public func free(_ object: ShadowObject, id: UInt64, dtor: Destructor = .count,
                     context: CallContext = .process) throws -> FreeResult {
        try FreeResult(fields(.free(object, id: id, dtor: dtor, context: context)))
    }

    /// `free-all`: `klpsv_shadow_free_all()`, called in `context`.
    @discardableResult
    public func freeAll(id: UInt64, dtor: Destructor = .count, context: CallContext = .process) throws -> FreeResult {
        try FreeResult(fields(.freeAll(id: id, dtor: dtor, context: context)))
    }

    /// `race`: concurrent get, get-or-alloc and free on id `id`.
    public func race(id: UInt64, threads: UInt64 = 2, iterations: UInt64 = 100_000,
                     objects: UInt64 = 16) throws -> RaceResult {
        try RaceResult(fields(.race(id: id, threads: threads, iterations: iterations, objects: objects)))
    }

    /// `stress`: `seconds` of concurrent get, get-or-alloc and free, in
    /// process and atomic context, and free-all, on id `id`, which must be
    /// private to the run. Blocks for as long.
    public func stress(id: UInt64, seconds: UInt64, threads: UInt64 = 2,
                       objects: UInt64 = 16) throws -> StressResult {
        try StressResult(fields(.stress(id: id, seconds: seconds, threads: threads, objects: objects)))
    }

    /// `hold`: starts a task sleeping in `klpsv_test_hold_sleep()`; returns
    /// once it sleeps. Fails with `EBUSY` when one holds already.
    public func hold() throws {
        _ = try fields(.hold)
    }

    /// `release`: wakes the holding task and waits until it is gone. Fails
    /// with `ENOENT` when none holds.
    public func release() throws {
        _ = try fields(.release)
    }
}
