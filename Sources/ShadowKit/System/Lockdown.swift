/// The kernel's lockdown (`/sys/kernel/security/lockdown`, "none
/// [integrity] confidentiality"), and what it leaves of klpsv's tools.
///
/// Secure Boot turns on `integrity`; `lockdown=` on the command line or a
/// write to the file raises it, and nothing lowers it. At `integrity` and
/// above, debugfs opens only files that have no write bit (and no ioctl or
/// mmap), and a module loads only with a signature from a key the kernel
/// trusts.
public struct Lockdown: Sendable, Equatable {
    /// The lockdown levels, lowest first.
    public enum Level: String, Sendable, Equatable, Comparable, CaseIterable {
        case none
        case integrity
        case confidentiality

        public static func < (lhs: Level, rhs: Level) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// Where the kernel shows it.
    public static let defaultPath = "/sys/kernel/security/lockdown"
    /// The environment variable that names another file, for tests.
    public static let pathVariable = "KLPSV_LOCKDOWN_FILE"

    /// The level in force.
    public var level: Level

    /// Creates a lockdown at `level`.
    public init(level: Level) {
        self.level = level
    }

    /// Parses the file's text: the level in brackets.
    public init?(parsing text: String) {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard let current = words.first(where: { $0.hasPrefix("[") && $0.hasSuffix("]") }),
              let level = Level(rawValue: String(current.dropFirst().dropLast()))
        else { return nil }
        self.level = level
    }

    /// The lockdown in force, or nil when the kernel shows none (no
    /// lockdown support, or securityfs not mounted) or the file cannot be
    /// read.
    public static func current(files: any FileAccess = LocalFileAccess()) -> Lockdown? {
        let path = ProcessEnvironment.nonEmptyValue(pathVariable) ?? defaultPath
        guard let text = try? files.contents(of: path) else { return nil }
        return Lockdown(parsing: text)
    }

    /// True when it closes writable debugfs files and unsigned modules.
    public var restricts: Bool { level >= .integrity }

    /// What still works and what does not, a sentence each; empty when
    /// nothing is restricted.
    public var effects: [String] {
        guard restricts else { return [] }
        return [
            "klpsv's debugfs files (stats, shadows, states, patches) are read-only and still open: "
                + "status, stats, list, states and patches work",
            "debugfs refuses to open writable files: klpsv_test's and klpsv_bench's ctl, "
                + "so the shadow commands, race and bench do not work",
            "a module loads only when signed with a key the kernel trusts: enrol DKMS's key "
                + "(mokutil --import /var/lib/dkms/mok.pub, then reboot) for klpsv.ko and livepatches",
            "livepatch sysfs works: patch enable, disable and patches --all",
        ]
    }
}
