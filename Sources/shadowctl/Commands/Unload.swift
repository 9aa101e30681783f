import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct Unload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unload klpsv_test.ko, then klpsv.ko.",
            discussion: "A module that other modules hold is not unloaded; they are named.")

        @Flag(help: "Unload klpsv_test.ko only.")
        var hooksOnly = false

        func run() throws {
            let loader = Environment().loader
            var unloaded = false
            if loader.isLoaded(KlpsvModule.hooks) {
                try loader.unload(KlpsvModule.hooks)
                print("unloaded \(KlpsvModule.hooks)")
                unloaded = true
            } else if hooksOnly {
                throw CommandFailure("\(KlpsvModule.hooks) is not loaded", status: .unavailable)
            }
            guard !hooksOnly else { return }
            if loader.isLoaded(KlpsvModule.store) {
                try loader.unload(KlpsvModule.store)
                print("unloaded \(KlpsvModule.store)")
            } else if !unloaded {
                throw CommandFailure("\(KlpsvModule.store) is not loaded", status: .unavailable)
            }
        }
    }
}
