/// One klpsv_test command, typed; ``line`` is what goes into `ctl`.
public enum HookCommand: Sendable, Hashable {
    /// `obj new NAME [size=BYTES]`: a zeroed parent object.
    case newObject(name: String, size: UInt64? = nil)
    /// `obj del NAME`: frees the parent object only.
    case deleteObject(name: String)
    /// `obj list`.
    case listObjects
    /// `alloc OBJ ID SIZE ctor=MODE gfp=MODE`.
    case alloc(ShadowObject, id: UInt64, size: UInt64, ctor: Constructor = .none, gfp: GFP = .kernel)
    /// `alloc-huge OBJ ID SIZE`: `alloc` with any size, for klpsv's own
    /// size check.
    case allocHuge(ShadowObject, id: UInt64, size: UInt64)
    /// `get-or-alloc OBJ ID SIZE ctor=MODE gfp=MODE`.
    case getOrAlloc(ShadowObject, id: UInt64, size: UInt64, ctor: Constructor = .none, gfp: GFP = .kernel)
    /// `get OBJ ID [len=N]`: `len` data bytes shown (0 to 64).
    case get(ShadowObject, id: UInt64, length: UInt64 = 0)
    /// `set OBJ ID BYTE len=N`: fills the first `length` data bytes.
    case set(ShadowObject, id: UInt64, byte: UInt8, length: UInt64)
    /// `free OBJ ID dtor=MODE ctx=MODE`.
    case free(ShadowObject, id: UInt64, dtor: Destructor = .count, context: CallContext = .process)
    /// `free-all ID dtor=MODE ctx=MODE`.
    case freeAll(id: UInt64, dtor: Destructor = .count, context: CallContext = .process)
    /// `race ID threads=T iterations=I objects=O`.
    case race(id: UInt64, threads: UInt64 = 2, iterations: UInt64 = 100_000, objects: UInt64 = 16)
    /// `stress ID seconds=S threads=T objects=O`: a timed mix of every
    /// writer, reader and free_all on id `id`, which must be private to it.
    case stress(id: UInt64, seconds: UInt64, threads: UInt64 = 2, objects: UInt64 = 16)
    /// `hold`: a task sleeps in `klpsv_test_hold_sleep()`, holding open the
    /// transition of a livepatch that redirects it.
    case hold
    /// `release`: wakes the holding task and waits until it is gone.
    case release

    /// The command line, without newline. Numbers are decimal, options
    /// explicit, so the line does not depend on the module's defaults.
    public var line: String {
        switch self {
        case .newObject(let name, let size):
            "obj new \(name)" + (size.map { " size=\($0)" } ?? "")
        case .deleteObject(let name):
            "obj del \(name)"
        case .listObjects:
            "obj list"
        case .alloc(let object, let id, let size, let ctor, let gfp):
            "alloc \(object.token) \(id) \(size) ctor=\(ctor) gfp=\(gfp)"
        case .allocHuge(let object, let id, let size):
            "alloc-huge \(object.token) \(id) \(size)"
        case .getOrAlloc(let object, let id, let size, let ctor, let gfp):
            "get-or-alloc \(object.token) \(id) \(size) ctor=\(ctor) gfp=\(gfp)"
        case .get(let object, let id, let length):
            "get \(object.token) \(id)" + (length > 0 ? " len=\(length)" : "")
        case .set(let object, let id, let byte, let length):
            "set \(object.token) \(id) \(byte) len=\(length)"
        case .free(let object, let id, let dtor, let context):
            "free \(object.token) \(id) dtor=\(dtor)" + (context == .process ? "" : " ctx=\(context)")
        case .freeAll(let id, let dtor, let context):
            "free-all \(id) dtor=\(dtor)" + (context == .process ? "" : " ctx=\(context)")
        case .race(let id, let threads, let iterations, let objects):
            "race \(id) threads=\(threads) iterations=\(iterations) objects=\(objects)"
        case .stress(let id, let seconds, let threads, let objects):
            "stress \(id) seconds=\(seconds) threads=\(threads) objects=\(objects)"
        case .hold:
            "hold"
        case .release:
            "release"
        }
    }
}
