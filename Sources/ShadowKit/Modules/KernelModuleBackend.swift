import SystemPackage

/// The kernel's module loader, reduced to what ``ModuleLoader`` needs.
///
/// ``LibkmodBackend`` is the real one; host tests use a fake. Every method
/// reports failure as the `Errno` the kernel or libkmod gave, and leaves the
/// words to ``ModuleLoader``.
public protocol KernelModuleBackend: Sendable {
    /// Inserts the module file at `path` with the parameter string `options`
    /// (`"list_max=5 foo=bar"`), as `insmod` does.
    func insert(path: String, options: String) throws(Errno)

    /// Removes the loaded module `name`, without waiting, as `rmmod` does.
    func remove(name: String) throws(Errno)

    /// The state of module `name`, or `nil` when it is not loaded.
    func info(name: String) throws(Errno) -> ModuleInfo?

    /// Inserts the installed module `name` (under `/lib/modules/$(uname -r)`,
    /// through `modules.dep`), its dependencies first, as `modprobe` does,
    /// and returns its file's path.
    func insertInstalled(name: String, options: String) throws(Errno) -> String

    /// The `depends` of the module file at `path`: the modules it needs
    /// loaded first, as `modinfo -F depends` lists them.
    func dependencies(ofFile path: String) throws(Errno) -> [String]
}
