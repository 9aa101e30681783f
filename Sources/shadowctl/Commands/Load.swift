import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load klpsv.ko, and klpsv_test.ko with --hooks.",
            discussion: """
                The modules are taken from --dir, else $KLPSV_KMOD_DIR, else the kmod/ \
                directory of the repository shadowctl was built in, else (shadowctl as \
                installed by its package) from the modules installed for the running \
                kernel, as modprobe finds them: klpsv.ko from the klpsv-dkms package. A \
                module that is loaded already is left as it is, unless parameters are \
                given for it.
                """)

        @Option(help: ArgumentHelp("The directory holding klpsv.ko and klpsv_test.ko.", valueName: "dir"))
        var dir: String?

        @Flag(help: "Load klpsv_test.ko, the test hooks, too.")
        var hooks = false

        @Option(name: .customLong("hooks-param"), help: ArgumentHelp(
            "A klpsv_test parameter, NAME=VALUE (repeatable).", valueName: "param"))
        var hooksParameters: [String] = []

        @Argument(help: ArgumentHelp("klpsv parameters, e.g. list_max=100.", valueName: "param"))
        var parameters: [String] = []

        func validate() throws {
            for parameter in parameters + hooksParameters { try Checked.parameter(parameter) }
            if !hooksParameters.isEmpty && !hooks {
                throw ValidationError("--hooks-param needs --hooks")
            }
        }

        func run() throws {
            let loader = Environment().loader
            let directory = dir ?? ModuleDirectory.locate()
            let loadedStore = try load(KlpsvModule.store, from: directory, parameters: parameters, loader: loader)
            guard hooks else { return }
            do {
                try load(KlpsvModule.hooks, from: directory, parameters: hooksParameters, loader: loader)
            } catch {
                // What this command loaded goes with its failure.
                if loadedStore, (try? loader.unload(KlpsvModule.store)) != nil {
                    print("unloaded \(KlpsvModule.store) again")
                }
                throw error
            }
        }

        /// Loads module `name` from `directory`; when that was not named
        /// with --dir and holds no such file, or there is none, the one
        /// installed for the running kernel. Returns whether it loaded it.
        @discardableResult
        private func load(_ name: String, from directory: String?, parameters: [String],
                          loader: ModuleLoader) throws -> Bool {
            if parameters.isEmpty, loader.isLoaded(name) {
                print("\(name) is loaded already")
                return false
            }
            let path: String
            do {
                path = try loader.load(name, from: directory, orInstalled: dir == nil, parameters: parameters)
            } catch {
                guard error.code == .fileNotFound, dir == nil else { throw error }
                throw notInstalled(name)
            }
            print("loaded \(name) from \(path)" + (parameters.isEmpty ? "" : " (\(parameters.joined(separator: " ")))"))
            return true
        }

        /// The failure of a module neither built nor installed.
        private func notInstalled(_ name: String) -> CommandFailure {
            let hint = name == KlpsvModule.store
                ? "install the klpsv-dkms package, or build it (make modules)"
                : "it is a test module, built in the repository's kmod/ (make modules), not packaged"
            return CommandFailure(
                "\(name) is neither built nor installed for this kernel: \(hint); "
                    + "--dir or \(ModuleDirectory.environmentVariable) names a build",
                status: .notFound)
        }
    }
}
