/// What the kernel says about one loaded module.
public struct ModuleInfo: Sendable, Equatable {
    /// The module's life cycle state (`/sys/module/NAME/initstate`).
    public enum State: String, Sendable, Equatable {
        case live
        case coming
        case going
        case builtin
    }

    /// The module name, as `lsmod` shows it.
    public var name: String
    /// Its state.
    public var state: State
    /// References held on it (`lsmod`'s "Used by" count); 0 for builtins.
    public var refcount: Int
    /// Modules that depend on it, sorted.
    public var holders: [String]

    /// Creates a description of module `name`.
    public init(name: String, state: State, refcount: Int = 0, holders: [String] = []) {
        self.name = name
        self.state = state
        self.refcount = refcount
        self.holders = holders
    }
}

/// The names of klpsv's modules.
public enum KlpsvModule {
    /// The shadow variable store, `klpsv.ko`.
    public static let store = "klpsv"
    /// The test-hook module, `klpsv_test.ko`; it depends on ``store``.
    public static let hooks = "klpsv_test"
    /// The benchmark module, `klpsv_bench.ko`.
    public static let bench = "klpsv_bench"
    /// All three: the modules klpsv's tools load themselves.
    public static let all = [store, hooks, bench]

    /// The file name of module `name` in a build directory: `klpsv.ko`.
    public static func fileName(of name: String) -> String { name + ".ko" }
}
