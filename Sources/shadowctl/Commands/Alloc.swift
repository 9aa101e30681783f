import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct Alloc: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Allocate a shadow variable (klpsv_shadow_alloc).",
            discussion: "Exits 5 when the API returns NULL: the shadow exists already, or the ctor failed.")

        @OptionGroup var key: ShadowKey
        @OptionGroup var allocation: AllocationOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let result = try Environment().hooks().alloc(
                try key.object, id: try key.id, size: try allocation.size, ctor: allocation.ctor, gfp: allocation.gfp)
            let report = ShadowReport(command: "alloc", object: try key.object, id: try key.id,
                                      size: try allocation.size, constructor: allocation.ctor, result: result)
            try emit(report, summary: report.summary, status: report.status, json: output.json)
        }
    }

    struct GetOrAlloc: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get-or-alloc",
            abstract: "Get a shadow variable, allocating it when missing (klpsv_shadow_get_or_alloc).",
            discussion: "Exits 5 when the API returns NULL: the ctor failed.")

        @OptionGroup var key: ShadowKey
        @OptionGroup var allocation: AllocationOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let result = try Environment().hooks().getOrAlloc(
                try key.object, id: try key.id, size: try allocation.size, ctor: allocation.ctor, gfp: allocation.gfp)
            let report = ShadowReport(command: "get-or-alloc", object: try key.object, id: try key.id,
                                      size: try allocation.size, constructor: allocation.ctor, result: result)
            try emit(report, summary: report.summary, status: report.status, json: output.json)
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Look a shadow variable up (klpsv_shadow_get).",
            discussion: "Exits 5 when there is no such shadow.")

        @OptionGroup var key: ShadowKey

        @Option(name: .customLong("len"), help: ArgumentHelp(
            "Data bytes to show, 0 to 64.", valueName: "bytes"))
        var lengthText = "0"

        @OptionGroup var output: OutputOptions

        func validate() throws {
            _ = try length
        }

        private var length: UInt64 {
            get throws {
                try Checked.number(lengthText, as: "length", in: 0...UInt64(HookLimits.maxDataShown))
            }
        }

        func run() throws {
            let result = try Environment().hooks().get(try key.object, id: try key.id, length: try length)
            let report = ShadowReport(command: "get", object: try key.object, id: try key.id, result: result)
            try emit(report, summary: report.summary, status: report.status, json: output.json)
        }
    }
}
