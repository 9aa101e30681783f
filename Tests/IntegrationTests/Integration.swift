import Foundation
import ShadowKit
import Testing

/// Whether and where the integration tests run: inside the klpsv test VM,
/// as root, with the built modules in `$KLPSV_KMOD_DIR`.
enum Integration {
    /// The environment variable the VM sets.
    static let vmVariable = "KLPSV_IN_VM"

    /// True inside the test VM, as root.
    static var isAvailable: Bool {
        ProcessEnvironment.value(vmVariable) == "1" && ProcessEnvironment.isRoot
    }

    /// The directory holding `klpsv.ko` and `klpsv_test.ko`.
    static func moduleDirectory() throws -> String {
        try #require(ProcessEnvironment.nonEmptyValue(ModuleDirectory.environmentVariable),
                     "set \(ModuleDirectory.environmentVariable) to the directory of klpsv.ko and klpsv_test.ko")
    }

    /// True in the debug lane (`make test-debug`), which sets
    /// `KLPSV_CHECKERS` to the debug kernel's flavour and has checked that
    /// its checkers are on.
    static var underCheckers: Bool {
        ProcessEnvironment.value("KLPSV_CHECKERS") != nil
    }

    /// True on a PREEMPT_RT kernel (`/sys/kernel/realtime` reads 1). There
    /// a spinlock_t sleeps, and the shadow writers, like the kernel's, may
    /// not be called with interrupts disabled nor in hard-IRQ context.
    static var isPreemptRT: Bool {
        (try? LocalFileAccess().contents(of: "/sys/kernel/realtime"))?.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// The path of module `name` in ``moduleDirectory()``.
    static func modulePath(_ name: String) throws -> String {
        try moduleDirectory() + "/" + KlpsvModule.fileName(of: name)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only inside the klpsv test VM; elsewhere it is skipped
    /// with the reason.
    static var inKlpsvVM: Self {
        .enabled(if: Integration.isAvailable, "needs root in the klpsv test VM (KLPSV_IN_VM=1)")
    }
}

/// All integration tests, one at a time: each loads and unloads the same
/// modules.
@Suite("klpsv in the test VM", .serialized, .inKlpsvVM)
struct InVM {}
