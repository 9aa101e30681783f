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
            var path: String?
            if let directory {
                let file = directory + "/" + KlpsvModule.fileName(of: name)
                let named = dir != nil
                do {
                    try loader.load(file, parameters: parameters)
                    path = file
                } catch {
                    guard error.code == .fileNotFound, !named else { throw error }
                }
            }
            if path == nil {
                path = try loadInstalled(name, parameters: parameters, loader: loader)
            }
            print("loaded \(name) from \(path ?? name)" + (parameters.isEmpty ? "" : " (\(parameters.joined(separator: " ")))"))
            return true
        }

        private func loadInstalled(_ name: String, parameters: [String], loader: ModuleLoader) throws -> String {
            do {
                return try loader.loadInstalled(name, parameters: parameters)
            } catch {
                guard error.code == .fileNotFound else { throw error }
                let hint = name == KlpsvModule.store
                    ? "install the klpsv-dkms package, or build it (make modules)"
                    : "it is a test module, built in the repository's kmod/ (make modules), not packaged"
                throw CommandFailure(
                    "\(name) is neither built nor installed for this kernel: \(hint); "
                        + "--dir or \(ModuleDirectory.environmentVariable) names a build",
                    status: .notFound)
            }
        }
    }
}
