import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load klpsv.ko, and klpsv_test.ko with --hooks.",
            discussion: """
                The modules are taken from --dir, else $KLPSV_KMOD_DIR, else the kmod/ \
                directory of the repository shadowctl was built in. A module that is \
                loaded already is left as it is, unless parameters are given for it.
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
            let environment = Environment()
            let directory = try environment.moduleDirectory(dir)
            let loader = environment.loader
            try load(KlpsvModule.store, from: directory, parameters: parameters, loader: loader)
            if hooks {
                try load(KlpsvModule.hooks, from: directory, parameters: hooksParameters, loader: loader)
            }
        }

        private func load(_ name: String, from directory: String, parameters: [String],
                          loader: ModuleLoader) throws {
            if parameters.isEmpty, loader.isLoaded(name) {
                print("\(name) is loaded already")
                return
            }
            let path = directory + "/" + KlpsvModule.fileName(of: name)
            try loader.load(path, parameters: parameters)
            print("loaded \(name) from \(path)" + (parameters.isEmpty ? "" : " (\(parameters.joined(separator: " ")))"))
        }
    }
}
