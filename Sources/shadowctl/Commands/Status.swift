import ArgumentParser
import ShadowKit

extension Shadowctl {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show whether the modules are loaded, debugfs, and shadow totals.",
            discussion: "Exits 4 when klpsv is not loaded.")

        @OptionGroup var output: OutputOptions

        func run() throws {
            let environment = Environment()
            let report = StatusReport(environment)
            if output.json {
                try printJSON(report)
            } else {
                report.lines.forEach { print($0) }
            }
            if report.status != .success { throw CommandFailure.reported(report.status) }
        }
    }
}

/// What `status` found.
struct StatusReport: Encodable {
    struct Module: Encodable {
        var loaded: Bool
        var state: String?
        var refcount: Int?
        var holders: [String]
    }

    struct Debugfs: Encodable {
        var root: String
        var mounted: Bool
        var checked: Bool
    }

    struct LockdownJSON: Encodable {
        var level: String
        var effects: [String]
    }

    var modules: [String: Module] = [:]
    var debugfs: Debugfs
    var hooks: Bool
    var totals: CountersJSON?
    var problem: String?
    var lockdown: LockdownJSON?

    private var storeLoaded: Bool { modules[KlpsvModule.store]?.loaded ?? false }
    private var permissionDenied = false

    enum CodingKeys: String, CodingKey {
        case modules, debugfs, hooks, totals, problem, lockdown
    }

    init(_ environment: Environment) {
        let fs = environment.debugfs
        var mounted = true
        do { try fs.checkMounted() } catch { mounted = false }
        debugfs = Debugfs(root: fs.root, mounted: mounted, checked: fs.verifiesMount)
        hooks = (try? fs.checkHooksLoaded()) != nil
        for name in [KlpsvModule.store, KlpsvModule.hooks] {
            let info = try? environment.loader.info(name)
            modules[name] = Module(loaded: info != nil, state: info?.state.rawValue,
                                   refcount: info?.refcount, holders: info?.holders ?? [])
        }
        lockdown = Lockdown.current().map { LockdownJSON(level: $0.level.rawValue, effects: $0.effects) }
        do {
            totals = CountersJSON(try fs.stats().total)
        } catch {
            problem = String(describing: error)
            permissionDenied = (error as? DebugfsError)?.code == .permissionDenied
        }
    }

    var status: ExitStatus {
        if !storeLoaded { return .unavailable }
        return permissionDenied ? .permission : .success
    }

    var lines: [String] {
        var table = TextTable([("", .left), ("", .left)])
        for name in [KlpsvModule.store, KlpsvModule.hooks] {
            table.append([name, Self.describe(modules[name])])
        }
        if debugfs.checked {
            table.append(["debugfs", (debugfs.mounted ? "mounted at " : "not mounted at ") + debugfs.root])
        } else {
            table.append(["debugfs", "\(debugfs.root) (from \(KlpsvDebugfs.rootVariable), mount not checked)"])
        }
        table.append(["hooks", hooks ? "ready" : "not available"])
        if let totals {
            table.append(["shadows", "\(totals.live) live (\(totals.bytes) bytes); "
                          + "\(totals.allocs) allocated, \(totals.frees) freed since load"])
        } else {
            table.append(["shadows", "unknown: " + (problem ?? "no data")])
        }
        if let lockdown {
            table.append(["lockdown", lockdown.level])
            for effect in lockdown.effects { table.append(["", "- " + effect]) }
        }
        return Array(table.lines.dropFirst())
    }

    private static func describe(_ module: Module?) -> String {
        guard let module, module.loaded else { return "not loaded" }
        var words = "loaded"
        if let state = module.state, state != ModuleInfo.State.live.rawValue { words += " (\(state))" }
        words += ", refcount \(module.refcount ?? 0)"
        if !module.holders.isEmpty { words += ", used by " + module.holders.joined(separator: " ") }
        return words
    }
}
