import SystemPackage

/// The kind of a file, as far as ShadowKit cares.
public enum FileKind: Sendable, Equatable {
    case directory
    case regularFile
    case other
}

/// File-system access that ShadowKit needs: small virtual files in procfs,
/// sysfs and debugfs.
///
/// Every client takes one of these, so host tests can inject a fake and run
/// without root, a kernel module or a VM. ``LocalFileAccess`` is the real one.
public protocol FileAccess: Sendable {
    /// The kind of the file at `path`, or `nil` when nothing is there.
    ///
    /// - Throws: the `Errno` of `stat()` for anything but "not there"
    ///   (`EACCES` when a directory on the way is not searchable).
    func kind(of path: String) throws(Errno) -> FileKind?

    /// The whole contents of the file at `path`, as text.
    func contents(of path: String) throws(Errno) -> String

    /// Writes `text` to the existing file at `path` with one `write()`.
    func write(_ text: String, to path: String) throws(Errno)

    /// The names in the directory at `path`, without `.` and `..`, in no
    /// particular order.
    func entries(of path: String) throws(Errno) -> [String]
}
