import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct Patch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load, disable, enable or unload a livepatch module, and show what its transition did.",
            discussion: """
                Each transition is waited for, with a progress line on standard error, up to \
                --timeout; then the states it introduced or removed and the shadows it freed \
                are printed. A transition that times out goes on in the kernel: the tasks \
                holding it up are named; with --revert-on-timeout it is reversed instead, and \
                the reversal waited for as long. PATCH names are read as the kernel reads \
                module names: livepatch-foo is livepatch_foo.
                """,
            subcommands: [PatchLoad.self, PatchEnable.self, PatchDisable.self, PatchUnload.self])
    }
}

/// `--timeout` and `--json` of the `patch` subcommands.
struct TransitionOptions: ParsableArguments {
    static let timeoutRange: ClosedRange<UInt64> = 1...3600

    @Option(help: ArgumentHelp("How long to wait for the transition, 1-3600.", valueName: "seconds"))
    var timeout: UInt64 = UInt64(Livepatch.transitionTimeout.components.seconds)

    @Flag(help: "When the transition times out, reverse it and wait as long again for the reversal.")
    var revertOnTimeout = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard Self.timeoutRange.contains(timeout) else {
            throw ValidationError("--timeout must be 1 to 3600 seconds, not \(timeout)")
        }
    }

    var duration: Duration { .seconds(Int64(timeout)) }
}

/// The patch controller on the real system: libkmod, `/sys/kernel/livepatch`
/// (or `$KLPSV_LIVEPATCH_SYSFS`) and klpsv's debugfs files.
func patchControl() -> PatchControl {
    let environment = Environment()
    return PatchControl(livepatch: .fromEnvironment(), loader: environment.loader, debugfs: environment.debugfs)
}

/// Reports, on standard error, that the transition of `patch` is still
/// being waited for.
func progressReporter(_ patch: String, _ verb: String) -> (Duration) -> Void {
    { waited in printError("\(patch): \(verb), waited \(waited.components.seconds) s") }
}

extension Shadowctl {
    struct PatchLoad: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load",
            abstract: "Load a livepatch module, which enables its patch, and wait for the transition.",
            discussion: """
                MODULE is a file path (containing / or ending in .ko), or a module name looked \
                up in --dir, else $KLPSV_KMOD_DIR, else the repository's kmod/. The file is \
                checked first; klpsv.ko is loaded first when the patch depends on it \
                (modinfo -F depends) and it is not loaded: from that directory (for a path, \
                from beside the patch), else the one installed for the running kernel, as \
                modprobe finds it. When the patch does not load, what the command loaded is \
                unloaded again.
                """)

        @Option(help: ArgumentHelp("The directory holding the modules.", valueName: "dir"))
        var dir: String?

        @OptionGroup var transition: TransitionOptions

        @Argument(help: ArgumentHelp("The livepatch module.", valueName: "module"))
        var module: String

        @Argument(help: ArgumentHelp("Its parameters, e.g. replace=0.", valueName: "param"))
        var parameters: [String] = []

        func validate() throws {
            guard !module.isEmpty else { throw ValidationError("the module name is empty") }
            if !isPath { try Checked.moduleName(module) }
            for parameter in parameters { try Checked.parameter(parameter) }
        }

        private var isPath: Bool { module.contains("/") || module.hasSuffix(".ko") }

        func run() throws {
            // For a patch given by path, klpsv.ko may also come from beside
            // it, else from the modules installed for the running kernel.
            let directory = isPath ? dir ?? ModuleDirectory.locate() ?? parentDirectory(of: module)
                : try Environment().moduleDirectory(dir)
            let path = isPath ? module : directory + "/" + KlpsvModule.fileName(of: module)
            let name = ModuleLoader.moduleName(forPath: path)
            let report = try patchControl().load(
                path, parameters: parameters, storeDirectory: directory, timeout: transition.duration,
                revertOnTimeout: transition.revertOnTimeout, progress: progressReporter(name, "patching"))
            try printReport(report, json: transition.output.json)
        }

        private func parentDirectory(of path: String) -> String {
            guard let slash = path.lastIndex(of: "/") else { return "." }
            return slash == path.startIndex ? "/" : String(path[..<slash])
        }
    }

    struct PatchEnable: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enable",
            abstract: "Reverse the disable in flight of a livepatch and wait for the transition.",
            discussion: """
                The livepatch core enables a patch when its module loads, and afterwards only \
                to reverse its disable while that is in flight; to enable a disabled patch, \
                unload its module and load it again.
                """)

        @OptionGroup var transition: TransitionOptions

        @Argument(help: ArgumentHelp("The livepatch, as named in /sys/kernel/livepatch.", valueName: "patch"))
        var patch: String

        func validate() throws { try Checked.moduleName(patch) }

        func run() throws {
            let patch = ModuleLoader.moduleName(patch)
            let report = try patchControl().enable(
                patch, timeout: transition.duration, revertOnTimeout: transition.revertOnTimeout,
                progress: progressReporter(patch, "patching"))
            try printReport(report, json: transition.output.json)
        }
    }

    struct PatchDisable: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable",
            abstract: "Disable a livepatch and wait for the transition.",
            discussion: """
                A patch that is the last to support an in-force block_disable state is not \
                disabled: replace it with a patch that keeps the state. With --force it is \
                disabled anyway; klpsv then keeps the state in force, without running its \
                unpatch callbacks, and the patch as an orphan, until a patch that declares \
                the state is enabled.
                """)

        @Flag(help: "Disable a patch even when block_disable states forbid it.")
        var force = false

        @OptionGroup var transition: TransitionOptions

        @Argument(help: ArgumentHelp("The livepatch, as named in /sys/kernel/livepatch.", valueName: "patch"))
        var patch: String

        func validate() throws { try Checked.moduleName(patch) }

        func run() throws {
            let patch = ModuleLoader.moduleName(patch)
            let report = try patchControl().disable(
                patch, force: force, timeout: transition.duration, revertOnTimeout: transition.revertOnTimeout,
                progress: progressReporter(patch, "unpatching"))
            try printReport(report, json: transition.output.json)
        }
    }

    struct PatchUnload: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unload",
            abstract: "Unload a disabled livepatch module, once the livepatch core has let it go.",
            discussion: "A module whose patch is still enabled is refused: disable it first.")

        @Option(help: ArgumentHelp("How long to wait for the release, 1-3600.", valueName: "seconds"))
        var timeout: UInt64 = UInt64(Livepatch.releaseTimeout.components.seconds)

        @Argument(help: ArgumentHelp("The livepatch module.", valueName: "module"))
        var module: String

        func validate() throws {
            try Checked.moduleName(module)
            guard TransitionOptions.timeoutRange.contains(timeout) else {
                throw ValidationError("--timeout must be 1 to 3600 seconds, not \(timeout)")
            }
        }

        func run() throws {
            let module = ModuleLoader.moduleName(module)
            try patchControl().unload(module, timeout: .seconds(Int64(timeout)),
                                      progress: progressReporter(module, "waiting for its release"))
            print("unloaded \(module)")
        }
    }
}
