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
            try load(KlpsvModule.store, from: directory, parameters: parameters, loader: loader)
            if hooks {
                try load(KlpsvModule.hooks, from: directory, parameters: hooksParameters, loader: loader)
            }
        }

        /// Loads module `name` from `directory`, or the installed one when
        /// there is no directory.
        private func load(_ name: String, from directory: String?, parameters: [String],
                          loader: ModuleLoader) throws {
            if parameters.isEmpty, loader.isLoaded(name) {
                print("\(name) is loaded already")
                return
            }
            let path: String
            if let directory {
                path = directory + "/" + KlpsvModule.fileName(of: name)
                try loader.load(path, parameters: parameters)
            } else {
                do {
                    path = try loader.loadInstalled(name, parameters: parameters)
                } catch {
                    guard error.code == .fileNotFound else { throw error }
                    throw CommandFailure(
                        "\(name) is not installed for this kernel, and no build was found: install the "
                            + "klpsv-dkms package, or use --dir or set \(ModuleDirectory.environmentVariable)",
                        status: .notFound)
                }
            }
            print("loaded \(name) from \(path)" + (parameters.isEmpty ? "" : " (\(parameters.joined(separator: " ")))"))
        }
    }
}
