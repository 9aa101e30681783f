import ShadowKit

/// The system shadowctl works on: debugfs (`$KLPSV_DEBUGFS` or
/// `/sys/kernel/debug`) and libkmod.
struct Environment {
    let debugfs = KlpsvDebugfs.fromEnvironment()
    let loader = ModuleLoader()

    /// The test-hook client; fails when klpsv_test is not loaded.
    func hooks() throws -> TestHooks {
        try TestHooks(debugfs: debugfs)
    }
}
