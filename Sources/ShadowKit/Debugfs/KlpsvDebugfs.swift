import SystemPackage

/// Where klpsv's debugfs files are, and reading them.
///
/// The root is `/sys/kernel/debug`, which must be a debugfs mount. The
/// environment variable `KLPSV_DEBUGFS` names another root, a plain
/// directory with the same layout, for tests and unusual mounts; its mount
/// is not checked.
public struct KlpsvDebugfs: Sendable {
    /// Where debugfs is normally mounted.
    public static let defaultRoot = "/sys/kernel/debug"
    /// The environment variable that overrides ``defaultRoot``.
    public static let rootVariable = "KLPSV_DEBUGFS"
    /// The mount table consulted by ``checkMounted()``.
    public static let mountTablePath = "/proc/mounts"

    /// The debugfs root.
    public let root: String
    /// Whether ``checkMounted()`` insists that ``root`` is a debugfs mount.
    public let verifiesMount: Bool
    private let files: any FileAccess

    /// Creates a reader of the debugfs mounted at `root`.
    public init(root: String = defaultRoot, verifiesMount: Bool = true,
                files: any FileAccess = LocalFileAccess()) {
        self.root = root
        self.verifiesMount = verifiesMount
        self.files = files
    }

    /// The reader the environment asks for: `$KLPSV_DEBUGFS` when set
    /// (no mount check), else ``defaultRoot``.
    public static func fromEnvironment(files: any FileAccess = LocalFileAccess()) -> KlpsvDebugfs {
        if let root = ProcessEnvironment.nonEmptyValue(rootVariable) {
            return KlpsvDebugfs(root: root, verifiesMount: false, files: files)
        }
        return KlpsvDebugfs(files: files)
    }

    /// klpsv's directory.
    public var storeDirectory: String { root + "/klpsv" }
    /// The `stats` file.
    public var statsPath: String { storeDirectory + "/stats" }
    /// The `shadows` file.
    public var shadowsPath: String { storeDirectory + "/shadows" }
    /// klpsv's `states` file.
    public var statesPath: String { storeDirectory + "/states" }
    /// klpsv's `patches` file.
    public var patchesPath: String { storeDirectory + "/patches" }
    /// klpsv_test's directory.
    public var hooksDirectory: String { root + "/klpsv_test" }
    /// klpsv_test's command file.
    public var controlPath: String { hooksDirectory + "/ctl" }

    /// Checks that debugfs is mounted at ``root`` (unless overridden).
    public func checkMounted() throws(DebugfsError) {
        guard verifiesMount else { return }
        let table: String
        do {
            table = try files.contents(of: Self.mountTablePath)
        } catch {
            throw DebugfsError(.ioFailure, path: Self.mountTablePath, errno: error)
        }
        guard MountTable(parsing: table).type(at: root) == "debugfs" else {
            throw DebugfsError(.notMounted, path: root)
        }
    }

    /// Checks that debugfs is mounted and klpsv's directory is there.
    public func checkStoreLoaded() throws(DebugfsError) {
        try checkDirectory(storeDirectory, of: KlpsvModule.store)
    }

    /// Checks that debugfs is mounted and klpsv_test's directory is there.
    public func checkHooksLoaded() throws(DebugfsError) {
        try checkDirectory(hooksDirectory, of: KlpsvModule.hooks)
    }

    /// The raw text of the `stats` file.
    public func statsText() throws(DebugfsError) -> String {
        try checkStoreLoaded()
        return try read(statsPath, of: KlpsvModule.store)
    }

    /// The parsed `stats` file.
    ///
    /// - Throws: ``DebugfsError`` or ``MalformedOutput``.
    public func stats() throws -> KlpsvStats {
        try KlpsvStats(parsing: statsText())
    }

    /// The raw text of the `shadows` file.
    public func shadowsText() throws(DebugfsError) -> String {
        try checkStoreLoaded()
        return try read(shadowsPath, of: KlpsvModule.store)
    }

    /// The parsed `shadows` file.
    ///
    /// - Throws: ``DebugfsError`` or ``MalformedOutput``.
    public func shadows() throws -> ShadowListing {
        try ShadowListing(parsing: shadowsText())
    }

    /// The parsed `states` file.
    ///
    /// - Throws: ``DebugfsError`` or ``MalformedOutput``.
    public func states() throws -> KlpsvStates {
        try checkStoreLoaded()
        return try KlpsvStates(parsing: read(statesPath, of: KlpsvModule.store))
    }

    /// The parsed `patches` file.
    ///
    /// - Throws: ``DebugfsError`` or ``MalformedOutput``.
    public func patches() throws -> KlpsvPatches {
        try checkStoreLoaded()
        return try KlpsvPatches(parsing: read(patchesPath, of: KlpsvModule.store))
    }

    private func checkDirectory(_ path: String, of module: String) throws(DebugfsError) {
        try checkMounted()
        let kind: FileKind?
        do {
            kind = try files.kind(of: path)
        } catch {
            throw DebugfsError.from(error, path: path, module: module)
        }
        guard kind == .directory else { throw DebugfsError(.moduleNotLoaded, path: path, module: module) }
    }

    private func read(_ path: String, of module: String) throws(DebugfsError) -> String {
        do {
            return try files.contents(of: path)
        } catch {
            throw DebugfsError.from(error, path: path, module: module)
        }
    }
}
