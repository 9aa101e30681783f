import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct Free: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Free a shadow variable (klpsv_shadow_free).",
            discussion: "Freeing a shadow that does not exist does nothing.")

        @OptionGroup var key: ShadowKey
        @OptionGroup var destructor: DestructorOption
        @OptionGroup var output: OutputOptions

        func run() throws {
            let result = try Environment().hooks().free(try key.object, id: try key.id, dtor: destructor.dtor)
            let report = FreeReport(command: "free", object: try key.object, id: try key.id,
                                    destructor: destructor.dtor, result: result)
            try emit(report, summary: report.summary, status: report.status, json: output.json)
        }
    }

    struct FreeAll: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "free-all",
            abstract: "Free every shadow variable with one id (klpsv_shadow_free_all).")

        @Argument(help: ArgumentHelp("The shadow id, decimal or 0x hex.", valueName: "id"))
        var idText: String

        @OptionGroup var destructor: DestructorOption
        @OptionGroup var output: OutputOptions

        func validate() throws {
            _ = try Checked.id(idText)
        }

        func run() throws {
            let id = try Checked.id(idText)
            let result = try Environment().hooks().freeAll(id: id, dtor: destructor.dtor)
            let report = FreeReport(command: "free-all", object: nil, id: id,
                                    destructor: destructor.dtor, result: result)
            try emit(report, summary: report.summary, status: report.status, json: output.json)
        }
    }
}
