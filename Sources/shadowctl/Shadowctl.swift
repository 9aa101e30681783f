import ArgumentParser
import ShadowKit

/// `shadowctl`: loads klpsv and drives its shadow variable store.
@main
struct Shadowctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shadowctl",
        abstract: "Load klpsv and drive its livepatch shadow variable store.",
        discussion: """
            klpsv.ko keeps livepatch shadow variables and shows them in debugfs; \
            klpsv_test.ko lets user space call its API. Everything but --help needs root.

            Shadow commands name a parent object (OBJ) made with 'obj new', or null \
            for the NULL object (a global shadow). IDs are unsigned, decimal or 0x hex.

            EXIT STATUS
              0  success
              1  failure: the kernel refused, a check failed, or I/O failed
              2  usage error: bad arguments
              3  permission denied: not root
              4  unavailable: klpsv or klpsv_test not loaded, no debugfs, or no livepatch
              5  not found: no such shadow, object or livepatch, or the API returned NULL

            ENVIRONMENT
              KLPSV_KMOD_DIR  where 'load' finds klpsv.ko and klpsv_test.ko
                              (default: kmod/ of the repository shadowctl is in)
              KLPSV_DEBUGFS   a debugfs root to use instead of /sys/kernel/debug,
                              for tests and unusual mounts (mount not checked)
              KLPSV_LIVEPATCH_SYSFS
                              a directory to use instead of /sys/kernel/livepatch, for tests
            """,
        subcommands: [
            Load.self, Unload.self, Status.self, Stats.self, List.self, States.self, Patches.self, Patch.self, Bench.self, Obj.self,
            Alloc.self, Get.self, GetOrAlloc.self, Free.self, FreeAll.self, Race.self,
        ]
    )

    /// Runs the command line, mapping every error to a line on standard
    /// error and a documented exit status.
    static func main() {
        if let group = ShortOptionGroup(in: Array(CommandLine.arguments.dropFirst()), root: Self.self) {
            printError(group.message)
            Self.exit(withError: ExitCode(ExitStatus.usage.rawValue))
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(reporting: error)
        }
    }

    private static func exit(reporting error: any Error) -> Never {
        if let status = ExitStatus(for: error) {
            printError(String(describing: error))
            Self.exit(withError: ExitCode(status.rawValue))
        }
        let code = exitCode(for: error)
        guard code != .validationFailure else {
            var message = fullMessage(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            printError(message)
            Self.exit(withError: ExitCode(ExitStatus.usage.rawValue))
        }
        Self.exit(withError: error)
    }
}
