import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct Obj: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, delete and list klpsv_test's parent objects.",
            subcommands: [New.self, Del.self, List.self])
    }
}

extension Shadowctl.Obj {
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a zeroed parent object.")

        @Argument(help: ArgumentHelp("Its name: 1 to 31 characters of A-Z a-z 0-9 _ . -", valueName: "name"))
        var name: String

        @Option(name: .customLong("size"), help: ArgumentHelp(
            "Its size in bytes, 1 to 4096 (default: 64).", valueName: "bytes"))
        var sizeText: String?

        @OptionGroup var output: OutputOptions

        func validate() throws {
            _ = try Checked.name(name)
            if let sizeText { _ = try Checked.number(sizeText, as: "size", in: HookLimits.objectSizes) }
        }

        func run() throws {
            let size = try sizeText.map { try Checked.number($0, as: "size", in: HookLimits.objectSizes) }
            let result = try Environment().hooks().newObject(name, size: size)
            try emit(ObjectJSON(result), summary: "created object \(result.name) at \(result.ptr ?? "?")",
                     json: output.json)
        }
    }

    struct Del: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a parent object; its shadows stay (a leak klpsv's stats show).")

        @Argument(help: ArgumentHelp("Its name.", valueName: "name"))
        var name: String

        @OptionGroup var output: OutputOptions

        func validate() throws {
            _ = try Checked.name(name)
        }

        func run() throws {
            let result = try Environment().hooks().deleteObject(name)
            try emit(ObjectJSON(result), summary: "deleted object \(result.name)", json: output.json)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the parent objects.")

        @OptionGroup var output: OutputOptions

        func run() throws {
            let list = try Environment().hooks().listObjects()
            let summary = list.names.isEmpty
                ? "no objects"
                : "\(list.names.count) object\(list.names.count == 1 ? "" : "s"): " + list.names.joined(separator: " ")
            try emit(ObjectListJSON(count: list.names.count, names: list.names), summary: summary,
                     json: output.json)
        }
    }
}

/// An object result as JSON.
struct ObjectJSON: Encodable {
    var obj: String
    var ptr: String?

    init(_ result: ObjectResult) {
        obj = result.name
        ptr = result.ptr
    }
}

/// The object list as JSON.
struct ObjectListJSON: Encodable {
    var count: Int
    var names: [String]
}
