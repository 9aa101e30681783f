#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import Foundation
import Testing
@testable import shadowctl

/// Random and mutated argument vectors, each invalid by construction: a
/// valid command line broken in one place. Every one must be a usage error
/// (status 2) with one `shadowctl: ` message on standard error, never a
/// success nor a signal, and must leave the fake debugfs and livepatch
/// files as they were. Thousands are parsed in the process (what the
/// command line's parser says); a few hundred, non-UTF-8 bytes among them,
/// run the real executable.
@Suite("shadowctl random arguments")
struct RandomArgumentTests {
    /// Vectors parsed in the process.
    static let parsedCount = 400
    /// Vectors run as processes.
    static let spawnedCount = 100

    @Test("random argument vectors are usage errors, parsed in the process")
    func parsedVectors() throws {
        var source = ArgumentSource(test: "parsed")
        let start = ContinuousClock.now
        var failures = 0
        for index in 0..<Self.parsedCount {
            let vector = source.vector()
            let arguments = vector.map { String(decoding: $0, as: UTF8.self) }
            do {
                _ = try Shadowctl.parseAsRoot(arguments)
                failures += 1
                if failures <= 5 { Issue.record("vector \(index) \(arguments) parsed; seed \(ArgumentSource.seed)") }
            } catch {
                let code = Shadowctl.exitCode(for: error)
                let message = Shadowctl.fullMessage(for: error)
                if code != .validationFailure || message.isEmpty {
                    failures += 1
                    if failures <= 5 {
                        let what = "vector \(index) \(arguments): exit code \(code.rawValue), '\(message)'"
                        Issue.record("\(what); seed \(ArgumentSource.seed)")
                    }
                }
            }
        }
        FileHandle.standardError.write(Data(("shadowctl fuzz: \(Self.parsedCount) vectors parsed in "
            + "\(ContinuousClock.now - start), \(failures) not usage errors; seed \(ArgumentSource.seed) "
            + "(\(ArgumentSource.variable) to repeat)\n").utf8))
        #expect(failures == 0)
    }

    @Test("random argument vectors, non-UTF-8 bytes among them, run: status 2, one message, nothing written but --json's error")
    func spawnedVectors() throws {
        let debugfs = try FakeDebugfs(Self.debugfsFiles)
        defer { debugfs.remove() }
        let livepatch = try FakeDebugfs(Self.livepatchFiles)
        defer { livepatch.remove() }
        let before = try Self.contents(of: [debugfs.path, livepatch.path])
        var source = ArgumentSource(test: "spawned")
        let start = ContinuousClock.now
        var failures = 0
        for index in 0..<Self.spawnedCount {
            let vector = source.vector(rawBytes: true)
            let outcome = try RawSpawn.run(ShadowctlRunner.executable.path, vector, environment: [
                "COLUMNS=80", "KLPSV_DEBUGFS=\(debugfs.path)", "KLPSV_LIVEPATCH_SYSFS=\(livepatch.path)",
                "KLPSV_KMOD_DIR=/nonexistent", "PATH=/usr/bin:/bin",
            ])
            let lines = outcome.standardError.split(separator: "\n", omittingEmptySubsequences: false)
            let clear = lines.first.map { $0.hasPrefix("shadowctl: ") && $0.count > "shadowctl: ".count } ?? false
            let messages = lines.filter { $0.hasPrefix("shadowctl: ") }.count
            let crashed = outcome.standardError.contains("Fatal error") || outcome.standardError.contains("Stack dump")
            let json = vector.prefix { $0 != Array("--".utf8) }.contains(Array("--json".utf8))
            let output = json ? ErrorDocument(outcome.standardOutput)?.exitStatus == 2 : outcome.standardOutput.isEmpty
            if outcome.signal != nil || outcome.status != 2 || !output || !clear
                || messages != 1 || crashed {
                failures += 1
                if failures <= 5 {
                    Issue.record("""
                        vector \(index) \(vector.map { String(decoding: $0, as: UTF8.self) }): \
                        status \(outcome.status), signal \(outcome.signal.map(String.init) ?? "none"), \
                        stdout '\(outcome.standardOutput)', stderr '\(outcome.standardError)'; seed \(ArgumentSource.seed)
                        """)
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        #expect(try Self.contents(of: [debugfs.path, livepatch.path]) == before, "a vector changed the fake files")
        FileHandle.standardError.write(Data(("shadowctl fuzz: \(Self.spawnedCount) vectors run in \(elapsed), "
            + "\(failures) not usage errors; seed \(ArgumentSource.seed) (\(ArgumentSource.variable) to repeat)\n").utf8))
        #expect(failures == 0)
    }

    /// A klpsv and klpsv_test that look loaded, with shadows.
    static let debugfsFiles = [
        "klpsv/stats": "id live bytes allocs frees memory variables table pending\n"
            + "1 1 8 1 0 1056 32 1024 0\ntotal 1 8 1 0 1056 32 1024 0\n",
        "klpsv/shadows": "id obj size\n1 null 8\n",
        "klpsv/states": "id state flags enabled shadows patches\n",
        "klpsv/patches": "patch phase replace states\n",
        "klpsv_test/ctl": "",
    ]

    /// One enabled livepatch.
    static let livepatchFiles = ["fix/enabled": "1\n", "fix/transition": "0\n", "fix/force": ""]

    /// Every file under `roots`, by path, with its contents.
    static func contents(of roots: [String]) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for root in roots {
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            for case let path as String in walker {
                var isDirectory: ObjCBool = false
                let full = root + "/" + path
                if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                    files[full] = try Data(contentsOf: URL(fileURLWithPath: full))
                }
            }
        }
        return files
    }
}

/// Makes argument vectors that shadowctl must refuse: a valid command line
/// of one subcommand with one argument broken, an argument too many or too
/// few, an unknown subcommand or option, or an option without its value.
struct ArgumentSource {
    static let variable = "KLPSV_FUZZ_SEED"

    /// `$KLPSV_FUZZ_SEED`, else a random seed.
    static let seed: UInt64 = {
        if let text = ProcessInfo.processInfo.environment[variable], let seed = UInt64(text) { return seed }
        return UInt64.random(in: 0...UInt64.max)
    }()

    private var generator: SplitMix64

    init(test: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in test.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        generator = SplitMix64(seed: Self.seed ^ hash)
    }

    /// What a slot of a valid command line holds.
    enum Slot {
        /// A subcommand word.
        case word
        case object, name, id, size, module, parameter
        /// The value of an option, checked as a number of `range` by
        /// shadowctl (decimal or 0x hex).
        case number(ClosedRange<UInt64>)
        /// The value of an option the argument parser reads as an integer
        /// of `range` (Swift's syntax: a leading `+` is taken).
        case integer(ClosedRange<UInt64>)
        /// The value of an option from a list of words.
        case choice([String])
        /// An option's name, or a flag.
        case option
        /// A value that anything goes for (a path): never broken.
        case free
    }

    struct Argument {
        var text: String
        var slot: Slot
    }

    /// Subcommand words, help and version requests: never made up.
    static let reserved: Set<String> = [
        "load", "unload", "status", "stats", "list", "states", "patches", "patch", "bench", "obj", "alloc", "get",
        "get-or-alloc", "free", "free-all", "race", "new", "del", "enable", "disable", "help", "-h", "--help",
        "--version", "--generate-completion-script", "--experimental-dump-help",
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
    mutating func oneIn(_ n: Int) -> Bool { int(1...n) == 1 }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }

    /// A random lowercase word that is no reserved word.
    mutating func word() -> String {
        while true {
            let word = String((0..<int(1...10)).map { _ in pick(Array("abcdefghijklmnopqrstuvwxyz")) })
            if !Self.reserved.contains(word) { return word }
        }
    }

    mutating func name() -> String {
        while true {
            let name = String((0..<int(1...12)).map { _ in pick(Array("abcXYZ019_.-")) })
            if name != "null" && !name.hasPrefix("-") { return name }
        }
    }

    /// A valid command line, as its arguments.
    mutating func validCommand() -> [Argument] {
        func words(_ words: String...) -> [Argument] { words.map { Argument(text: $0, slot: .word) } }
        func flag(_ name: String) -> [Argument] { oneIn(2) ? [Argument(text: name, slot: .option)] : [] }
        func option(_ name: String, _ value: String, _ slot: Slot) -> [Argument] {
            oneIn(2) ? [Argument(text: name, slot: .option), Argument(text: value, slot: slot)] : []
        }
        let object = Argument(text: oneIn(3) ? "null" : name(), slot: .object)
        let id = Argument(text: oneIn(2) ? String(int(0...99)) : "0x" + String(int(0...0xffff), radix: 16), slot: .id)
        let size = Argument(text: String(int(0...1_048_576)), slot: .size)
        let patch = Argument(text: pick(["klpsv_fix1", "klpsv_vp1", "fix"]), slot: .module)
        let timeout = option("--timeout", String(int(1...3600)), .integer(1...3600))
        switch int(0...15) {
        case 0:
            return words("load") + option("--dir", "/nonexistent", .free) + flag("--hooks")
                + [Argument(text: "list_max=\(int(1...100))", slot: .parameter)]
        case 1: return words("unload") + flag("--hooks-only")
        case 2: return words(pick(["status", "stats", "list", "states", "patches"])) + flag("--json")
        case 3:
            return words("obj", "new") + [Argument(text: name(), slot: .name)]
                + option("--size", String(int(1...4096)), .number(1...4096)) + flag("--json")
        case 4: return words("obj", "del") + [Argument(text: name(), slot: .name)]
        case 5, 6:
            return words(pick(["alloc", "get-or-alloc"])) + [object, id, size]
                + option("--ctor", pick(["none", "fill:1", "fail:5"]), .choice(["none", "fill:", "fail:"]))
                + option("--gfp", pick(["kernel", "atomic", "irqoff"]), .choice(["kernel", "atomic", "irqoff"]))
        case 7: return words("get") + [object, id] + option("--len", String(int(0...64)), .number(0...64))
        case 8: return words("free") + [object, id] + option("--dtor", "none", .choice(["count", "none"]))
        case 9: return words("free-all") + [id] + option("--dtor", "count", .choice(["count", "none"]))
        case 10:
            return words("race") + [id] + option("--threads", String(int(1...8)), .number(1...8))
                + option("--objects", String(int(1...4096)), .number(1...4096))
        case 11: return words("patch", "load") + timeout + [patch]
        case 12: return words("patch", pick(["enable", "disable"])) + timeout + [patch]
        case 13: return words("patch", "unload") + [patch]
        case 14: return words("bench", "--smoke") + option("--reps", String(int(1...31)), .integer(1...31))
        default: return words("obj", "list") + flag("--json")
        }
    }

    /// A number outside `range`, or no number; `+1` only where shadowctl
    /// parses the number itself.
    mutating func badNumber(_ range: ClosedRange<UInt64>, signed: Bool = true) -> String {
        var choices = ["-1", "12x", "0x", "0xg", "1.5", "1e3", " 1", "1 ", "", "٣", "99999999999999999999999",
                       "0x1ffffffffffffffff", "NaN", "--1"]
        if signed { choices.append("+1") }
        if range.lowerBound > 0 { choices.append(String(range.lowerBound - 1)) }
        if range.upperBound < UInt64.max { choices += [String(range.upperBound + 1), String(UInt64.max)] }
        return pick(choices)
    }

    /// `argument` made invalid for its slot.
    mutating func broken(_ argument: Argument) -> String {
        switch argument.slot {
        case .word: return pick([argument.text.uppercased(), argument.text + "s", word(), "", "-", "_"])
        case .object: return pick(["a b", "no/slash", "", String(repeating: "n", count: 32), "é", "a\u{1}", "-x", "a=b"])
        case .name: return pick(["null", "a b", "", String(repeating: "m", count: 32), "ü", "a\tb", "a,b", "a=b"])
        case .id: return badNumber(0...UInt64.max)
        case .size: return badNumber(0...1_048_576)
        case .module: return pick(["no such", "", String(repeating: "m", count: 56), "a.b", "é", "a+b"])
        case .parameter: return pick(["list_max", "=1", "list-max=1", "a b=1", "é=1", ""])
        case .number(let range): return badNumber(range)
        case .integer(let range): return badNumber(range, signed: false)
        case .choice: return pick(["zero", "KERNEL", "fill:256", "fail:0", "fail:4096", "", "maybe", "fill", "fill:x"])
        case .option: return "--" + word() + "-x"
        case .free: return argument.text
        }
    }

    /// An invalid argument vector; with `rawBytes`, some arguments get
    /// bytes that are not UTF-8.
    mutating func vector(rawBytes: Bool = false) -> [[UInt8]] {
        var arguments = validCommand()
        switch int(0...6) {
        case 0, 1, 2:
            // One argument broken (a free-form one cannot be: retry).
            var indices = arguments.indices.filter {
                if case .free = arguments[$0].slot { return false }
                return true
            }
            // Options' names are broken only by case 5 below.
            indices.removeAll { if case .option = arguments[$0].slot { return true } else { return false } }
            let index = pick(indices)
            arguments[index].text = broken(arguments[index])
        case 3:
            // An unknown subcommand in front.
            arguments.insert(Argument(text: pick([word(), "", "-", "Load", "STATS", "frobnicate"]), slot: .word), at: 0)
        case 4:
            // A positional argument too many, at the end.
            arguments.append(Argument(text: pick([word(), "1", "", "-"]), slot: .word))
        case 5:
            // An unknown option, anywhere after the subcommand words.
            let first = arguments.prefix { if case .word = $0.slot { return true } else { return false } }.count
            arguments.insert(Argument(text: pick(["--" + word() + "-x", "-" + pick(["q", "z", "Z", "k"]), "--"]),
                                      slot: .option), at: int(first...arguments.count))
            if arguments.contains(where: { $0.text == "--" }) { arguments.append(Argument(text: "--bogus", slot: .word)) }
        default:
            // An option whose value is missing: last, with nothing after it.
            let options = ["--timeout", "--size", "--len", "--ctor", "--gfp", "--dtor", "--threads", "--reps", "--dir"]
            // (Or one this subcommand does not take: an error too.)
            arguments.append(Argument(text: pick(options), slot: .option))
        }
        var vector = arguments.map { Array($0.text.utf8) }
        if rawBytes && oneIn(4) {
            // Bytes that are not UTF-8, in an argument that is checked.
            let checked = arguments.indices.filter {
                if case .free = arguments[$0].slot { return false }
                return true
            }
            let index = pick(checked)
            vector[index].insert(pick([0xff, 0xfe, 0xc3, 0x80, 0xed]), at: int(0...vector[index].count))
        }
        return vector
    }
}

/// SplitMix64, seeded.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// A process started with `posix_spawn()` from raw argument bytes (which
/// Foundation's `Process` cannot pass), its output in temporary files.
enum RawSpawn {
    struct Outcome {
        var status: Int32
        /// The signal that ended it, if one did.
        var signal: Int32?
        var standardOutput: String
        var standardError: String
    }

    static func run(_ executable: String, _ arguments: [[UInt8]], environment: [String]) throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.path
        let outputPath = directory + "/shadowctl-fuzz-\(getpid())-out"
        let errorPath = directory + "/shadowctl-fuzz-\(getpid())-err"
        defer {
            unlink(outputPath)
            unlink(errorPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv = ([Array(executable.utf8)] + arguments).map { bytes -> UnsafeMutablePointer<CChar>? in
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (index, byte) in bytes.enumerated() { pointer[index] = CChar(bitPattern: byte) }
            pointer[bytes.count] = 0
            return pointer
        } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { $0?.deallocate() }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let error = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard error == 0 else { throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signalled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
        return Outcome(status: (status >> 8) & 0xff, signal: signalled ? status & 0x7f : nil,
                       standardOutput: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
                       standardError: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errorPath))) ?? Data(),
                                             as: UTF8.self))
    }
}
