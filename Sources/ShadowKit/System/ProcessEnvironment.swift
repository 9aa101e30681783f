#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The environment variables that steer ShadowKit, read without Foundation.
public enum ProcessEnvironment {
    /// The value of the environment variable `name`, or `nil` when unset.
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// The value of `name`, or `nil` when unset or empty.
    public static func nonEmptyValue(_ name: String) -> String? {
        value(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// True when the process runs with effective user id 0.
    public static var isRoot: Bool { geteuid() == 0 }
}
