import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct Race: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Race get, get-or-alloc and free on one id in kernel threads.",
            discussion: """
                The id must have no live shadows. Passes when no pattern check failed and \
                every shadow created was destroyed exactly once; exits 1 otherwise.
                """)

        @Argument(help: ArgumentHelp("The shadow id, decimal or 0x hex.", valueName: "id"))
        var idText: String

        @Option(name: .customLong("threads"), help: ArgumentHelp("Kernel threads, 1 to 8.", valueName: "n"))
        var threadsText = "2"

        @Option(name: .customLong("iterations"), help: ArgumentHelp(
            "Iterations per thread, 1 to 10000000.", valueName: "n"))
        var iterationsText = "100000"

        @Option(name: .customLong("objects"), help: ArgumentHelp("Parent objects, 1 to 4096.", valueName: "n"))
        var objectsText = "16"

        @OptionGroup var output: OutputOptions

        func validate() throws {
            _ = try settings
        }

        private var settings: (id: UInt64, threads: UInt64, iterations: UInt64, objects: UInt64) {
            get throws {
                (try Checked.id(idText),
                 try Checked.number(threadsText, as: "thread count", in: HookLimits.raceThreads),
                 try Checked.number(iterationsText, as: "iteration count", in: HookLimits.raceIterations),
                 try Checked.number(objectsText, as: "object count", in: HookLimits.raceObjects))
            }
        }

        func run() throws {
            let settings = try settings
            let result = try Environment().hooks().race(
                id: settings.id, threads: settings.threads, iterations: settings.iterations,
                objects: settings.objects)
            let summary = "race on id \(settings.id): \(result.ok ? "ok" : "FAILED"), "
                + "\(result.threads) threads × \(result.iterations) iterations: "
                + "\(result.gets) gets (\(result.hits) hits), \(result.ctorCalls) created, "
                + "\(result.dtorCalls) destroyed, \(result.errors) errors"
            try emit(RaceJSON(id: settings.id, result), summary: summary,
                     status: result.ok ? .success : .failure, json: output.json,
                     failure: "the race found errors")
        }
    }
}

/// A race result as JSON.
struct RaceJSON: Encodable {
    var id: UInt64
    var ok: Bool
    var threads, iterations, gets, hits, ctor, dtor, errors: UInt64

    init(id: UInt64, _ result: RaceResult) {
        self.id = id
        ok = result.ok
        threads = result.threads
        iterations = result.iterations
        gets = result.gets
        hits = result.hits
        ctor = result.ctorCalls
        dtor = result.dtorCalls
        errors = result.errors
    }
}
