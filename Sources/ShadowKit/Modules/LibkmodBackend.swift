import CKmod
import SystemPackage

/// ``KernelModuleBackend`` on libkmod, the way kmod's `insmod` and `rmmod`
/// use it: a context per call, every reference dropped on every path.
/// libkmod's own log is silenced: ``ModuleLoader`` words the errors.
public struct LibkmodBackend: KernelModuleBackend {
    public init() {}

    public func insert(path: String, options: String) throws(Errno) {
        try withContext { (context) throws(Errno) in
            var module: OpaquePointer?
            try check(kmod_module_new_from_path(context, path, &module))
            guard let module else { throw Errno.noMemory }
            defer { kmod_module_unref(module) }
            try check(kmod_module_insert_module(module, 0, options))
        }
    }

    public func insertInstalled(name: String, options: String) throws(Errno) -> String {
        try withContext { (context) throws(Errno) -> String in
            var list: OpaquePointer?
            try check(kmod_module_new_from_lookup(context, name, &list))
            guard let list else { throw Errno.noSuchFileOrDirectory }
            defer { kmod_module_unref_list(list) }
            guard let module = kmod_module_get_module(list) else { throw Errno.noSuchFileOrDirectory }
            defer { kmod_module_unref(module) }
            guard let path = kmod_module_get_path(module) else { throw Errno.noSuchFileOrDirectory }
            let flags = Int32(KMOD_PROBE_FAIL_ON_LOADED.rawValue)
            try check(kmod_module_probe_insert_module(module, UInt32(flags), options, nil, nil, nil))
            return String(cString: path)
        }
    }

    public func remove(name: String) throws(Errno) {
        try withModule(named: name) { (module) throws(Errno) in
            try check(kmod_module_remove_module(module, UInt32(KMOD_REMOVE_NOLOG.rawValue)))
        }
    }

    public func info(name: String) throws(Errno) -> ModuleInfo? {
        try withModule(named: name) { (module) throws(Errno) -> ModuleInfo? in
            let initstate = kmod_module_get_initstate(module)
            if initstate == -Errno.noSuchFileOrDirectory.rawValue { return nil }
            try check(initstate)
            let state = Self.state(initstate)
            let refcount = state == .builtin ? 0 : max(0, Int(kmod_module_get_refcnt(module)))
            return ModuleInfo(name: name, state: state, refcount: refcount,
                              holders: Self.holders(of: module))
        }
    }

    public func dependencies(ofFile path: String) throws(Errno) -> [String] {
        try withContext { (context) throws(Errno) -> [String] in
            var module: OpaquePointer?
            try check(kmod_module_new_from_path(context, path, &module))
            guard let module else { throw Errno.noMemory }
            defer { kmod_module_unref(module) }
            var list: OpaquePointer?
            try check(kmod_module_get_info(module, &list))
            defer { kmod_module_info_free_list(list) }
            var names: [String] = []
            var entry = list
            while let current = entry {
                if String(cString: kmod_module_info_get_key(current)) == "depends",
                   let value = kmod_module_info_get_value(current) {
                    names += String(cString: value).split(separator: ",").map(String.init)
                }
                entry = kmod_list_next(list, current)
            }
            return names
        }
    }

    private static func state(_ initstate: Int32) -> ModuleInfo.State {
        switch UInt32(initstate) {
        case KMOD_MODULE_BUILTIN.rawValue: .builtin
        case KMOD_MODULE_COMING.rawValue: .coming
        case KMOD_MODULE_GOING.rawValue: .going
        default: .live
        }
    }

    private static func holders(of module: OpaquePointer) -> [String] {
        guard let list = kmod_module_get_holders(module) else { return [] }
        defer { kmod_module_unref_list(list) }
        var names: [String] = []
        var entry: OpaquePointer? = list
        while let current = entry {
            if let holder = kmod_module_get_module(current) {
                names.append(String(cString: kmod_module_get_name(holder)))
                kmod_module_unref(holder)
            }
            entry = kmod_list_next(list, current)
        }
        return names.sorted()
    }

    private func withModule<T>(
        named name: String, _ body: (OpaquePointer) throws(Errno) -> T
    ) throws(Errno) -> T {
        try withContext { (context) throws(Errno) -> T in
            var module: OpaquePointer?
            try check(kmod_module_new_from_name(context, name, &module))
            guard let module else { throw Errno.noMemory }
            defer { kmod_module_unref(module) }
            return try body(module)
        }
    }

    private func withContext<T>(_ body: (OpaquePointer) throws(Errno) -> T) throws(Errno) -> T {
        guard let context = kmod_new(nil, nil) else { throw Errno.noMemory }
        defer { kmod_unref(context) }
        kmod_set_log_fn(context, nil, nil)
        return try body(context)
    }
}

/// Throws the errno of a libkmod call that returned `-errno`.
private func check(_ result: Int32) throws(Errno) {
    if result < 0 { throw Errno(rawValue: -result) }
}
