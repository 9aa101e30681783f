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
              1  failure: the kernel refused, a check or a transition failed, I/O failed
              2  usage error: bad arguments
              3  permission denied: not root, or lockdown
              4  unavailable: klpsv's modules not loaded, no debugfs, no livepatch
              5  not found: no such shadow, object, livepatch, module or module file,
                 or the API returned NULL
            With --json, a failure prints {"error": MESSAGE, "exitStatus": STATUS}.

            ENVIRONMENT
              KLPSV_KMOD_DIR  where 'load' finds klpsv.ko and klpsv_test.ko
                              (default: kmod/ of the repository shadowctl is in)
              KLPSV_DEBUGFS   a debugfs root to use instead of /sys/kernel/debug,
                              for tests and unusual mounts (mount not checked)
              KLPSV_LIVEPATCH_SYSFS
                              a directory to use instead of /sys/kernel/livepatch, for tests
            """,
        version: KlpsvVersion.current,
        groupedSubcommands: [
            CommandGroup(name: "Modules", subcommands: [Load.self, Unload.self, Status.self]),
            CommandGroup(name: "Introspection", subcommands: [Stats.self, List.self, States.self, Patches.self]),
            CommandGroup(name: "Livepatches", subcommands: [Patch.self]),
            CommandGroup(name: "Shadow variables (klpsv_test)", subcommands: [
                Obj.self, Alloc.self, Get.self, GetOrAlloc.self, Free.self, FreeAll.self, Race.self,
            ]),
            CommandGroup(name: "Benchmark", subcommands: [Bench.self]),
        ]
    )

    /// Runs the command line, mapping every error to a line on standard
    /// error and a status of ``ExitStatus``; with `--json`, also to one JSON
    /// document on standard output (``ErrorReport``).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let json = arguments.prefix { $0 != "--" }.contains("--json")
        if let word = MisreadDashWord(in: arguments, root: Self.self) {
            fail(word.message, status: .usage, json: json)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(reporting: error, json: json)
        }
    }

    private static func exit(reporting error: any Error, json: Bool) -> Never {
        if let failure = error as? CommandFailure, failure.reported {
            if !failure.description.isEmpty { printError(failure.description) }
            Self.exit(withError: ExitCode(failure.exitStatus.rawValue))
        }
        if let error = error as? any ExitStatusError {
            var message = String(describing: error)
            if error.exitStatus == .permission, ProcessEnvironment.isRoot,
               let lockdown = Lockdown.current(), lockdown.restricts {
                message += "; lockdown (\(lockdown.level.rawValue)) is on: see 'shadowctl status'"
            }
            fail(message, status: error.exitStatus, json: json)
        }
        let code = exitCode(for: error)
        if code == .success || error is ExitCode {
            Self.exit(withError: error)
        }
        var message = fullMessage(for: error)
        if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
        fail(message, status: code == .validationFailure ? .usage : .failure, json: json)
    }

    /// Says `message` on standard error (and, with `--json`, its first line
    /// as an ``ErrorReport`` on standard output), then exits with `status`.
    private static func fail(_ message: String, status: ExitStatus, json: Bool) -> Never {
        printError(message)
        if json {
            let first = message.prefix { $0 != "\n" }
            try? printJSON(ErrorReport(error: String(first), exitStatus: status))
        }
        Self.exit(withError: ExitCode(status.rawValue))
    }
}
