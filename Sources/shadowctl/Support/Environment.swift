import ShadowKit

/// The system shadowctl works on: debugfs (`$KLPSV_DEBUGFS` or
/// `/sys/kernel/debug`) and libkmod.
struct Environment {
    let debugfs = KlpsvDebugfs.fromEnvironment()
    let loader = ModuleLoader()

    /// The directory of the kernel modules: `explicit` (`--dir`) when
    /// given, else the one ``ModuleDirectory`` locates.
    func moduleDirectory(_ explicit: String?) throws -> String {
        guard let directory = explicit ?? ModuleDirectory.locate() else {
            throw CommandFailure(
                "cannot find the kernel modules: use --dir or set \(ModuleDirectory.environmentVariable)")
        }
        return directory
    }

    /// The test-hook client; fails when klpsv_test is not loaded.
    func hooks() throws -> TestHooks {
        try TestHooks(debugfs: debugfs)
    }
}
