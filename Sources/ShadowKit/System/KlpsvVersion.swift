/// klpsv's version, the same for the module sources, `shadowctl` and the
/// Debian packages: the `VERSION` file at the top of the repository, which a
/// host test keeps equal to ``current``.
public enum KlpsvVersion {
    /// `MAJOR.MINOR.PATCH`.
    public static let current = "0.9.0"
}
