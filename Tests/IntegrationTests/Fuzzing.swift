#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import ShadowKit
import SystemPackage
import Testing

/// SplitMix64: a small seeded generator, so that a fuzz run repeats from
/// its seed.
struct SeededGenerator: RandomNumberGenerator {
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

/// The seed of this run's fuzz tests: `$KLPSV_FUZZ_SEED` when set, else a
/// random one. Each target draws from its own generator, seeded from this
/// seed and the target's name, so one target's failure repeats alone.
enum FuzzSeed {
    static let variable = "KLPSV_FUZZ_SEED"

    static let value: UInt64 = {
        if let text = ProcessEnvironment.nonEmptyValue(variable), let seed = UInt64(text) { return seed }
        return UInt64.random(in: 0...UInt64.max)
    }()

    /// The generator of target `name`.
    static func generator(for name: String) -> SeededGenerator {
        // FNV-1a of the name, so that the targets' sequences differ.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return SeededGenerator(seed: value ^ hash)
    }
}

/// Draws the pieces malformed inputs are made of.
struct InputSource {
    var generator: SeededGenerator

    init(target: String) {
        generator = FuzzSeed.generator(for: target)
    }

    /// A number in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }

    /// A 64-bit number in `range`.
    mutating func uint64(_ range: ClosedRange<UInt64>) -> UInt64 { UInt64.random(in: range, using: &generator) }

    /// True once in `n` draws.
    mutating func oneIn(_ n: Int) -> Bool { int(1...n) == 1 }

    /// One of `items`.
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }

    /// `count` bytes of `alphabet`.
    mutating func bytes(_ count: Int, of alphabet: [UInt8]) -> [UInt8] {
        (0..<count).map { _ in pick(alphabet) }
    }

    /// `count` bytes of any value. Past 64 bytes, 64 random bytes repeated:
    /// what matters in a long input is its length and its first bytes, and
    /// a debug build draws bytes slowly.
    mutating func anyBytes(_ count: Int) -> [UInt8] {
        var chunk: [UInt8] = []
        chunk.reserveCapacity(64)
        while chunk.count < min(count, 64) {
            withUnsafeBytes(of: generator.next()) { chunk += $0.prefix(min(count, 64) - chunk.count) }
        }
        guard count > chunk.count else { return chunk }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count + chunk.count <= count { bytes += chunk }
        bytes += chunk.prefix(count - bytes.count)
        return bytes
    }

    /// A decimal digit string of `count` digits, not starting with 0.
    mutating func digits(_ count: Int) -> String {
        let tail = anyBytes(max(count, 1) - 1).map { UInt8(ascii: "0") + $0 % 10 }
        return String(pick(Array("123456789"))) + String(decoding: tail, as: UTF8.self)
    }

    /// `value` in hex with a random case for its digits.
    mutating func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return oneIn(2) ? text : text.uppercased()
    }
}

/// Byte classes the malformed inputs are drawn from.
enum FuzzAlphabet {
    static let all = [UInt8](0...255)
    /// Control bytes and bytes above ASCII, none of them a space, a newline
    /// or NUL: never part of a valid token of any of our grammars.
    static let controlOrHigh: [UInt8] = (UInt8(1)...31).filter { $0 != 0x0a } + [0x7f] + Array(0x80...0xff)
    /// Printable ASCII that no name, number or keyword of our grammars
    /// contains (no letter, digit, `_ . - = : +` or space).
    static let punctuation = Array("!\"#$%&'()*,/;<>?@[\\]^`{|}~".utf8)
    /// Bytes that end every number's digits whatever its radix: not hex
    /// digits, not `x`, not a space, a newline or NUL.
    static let numberJunk = punctuation + Array("ghijklmnopqrstuvwyzGHIJKLMNOPQRSTUVWYZ_.-=:".utf8) + controlOrHigh
    /// Lowercase letters, for made-up words.
    static let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
}

/// What a fuzz target did with its inputs.
struct FuzzReport: CustomStringConvertible {
    var target: String
    var inputs = 0
    /// Refusals by errno.
    var refusals: [Errno: Int] = [:]
    /// Inputs that were accepted, or refused with an errno not allowed,
    /// the first few of them.
    var failures: [String] = []
    var failureCount = 0
    /// Bytes written, all inputs together.
    var bytes = 0
    /// The whole run: making the inputs, writing them, the checkpoints.
    var duration: Duration = .zero
    /// The `pwrite()` calls alone.
    var writing: Duration = .zero

    var description: String {
        let errnos = refusals.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        func seconds(_ duration: Duration) -> String {
            String(format: "%.2f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
        }
        return "fuzz: \(target): \(inputs) inputs (\(bytes) bytes) in \(seconds(duration)) s "
            + "(\(seconds(writing)) s in pwrite), \(inputs - failureCount) refused as expected (\(errnos)), "
            + "\(failureCount) not; seed \(FuzzSeed.value) (\(FuzzSeed.variable) to repeat)"
    }
}

/// A writable file of one of our modules, fed malformed inputs with one
/// `pwrite()` at offset 0 each on one open file: no Swift I/O layer
/// between the input and the kernel's parser.
struct FuzzTarget {
    /// How many inputs every target gets.
    static let inputCount = 10_000
    /// Every how many inputs the state is compared with the one before.
    static let checkpointInterval = 2_000
    /// Failing inputs kept in a report.
    static let failuresKept = 5

    var name: String
    var path: String
    var mode: FileDescriptor.AccessMode = .writeOnly
    /// The errnos a refusal may have.
    var allowed: Set<Errno>
    /// Makes one input, malformed by construction.
    var makeInput: (inout InputSource) -> [UInt8]

    /// Runs once the file is open, before the first input: a command of
    /// the file's own, for instance.
    var opened: (FileDescriptor) throws -> Void = { _ in }
    /// Runs after the last input, the file still open.
    var finished: (FileDescriptor) throws -> Void = { _ in }

    /// Opens the file, calls ``opened`` and `started`, writes `count`
    /// inputs, calling `checkpoint` every ``checkpointInterval`` of them
    /// and after the last, then calls ``finished``: the file is open
    /// throughout, so that its reference on the module is counted in
    /// every state compared.
    func run(count: Int = Self.inputCount, started: () throws -> Void,
             checkpoint: () throws -> Void) throws -> FuzzReport {
        var source = InputSource(target: name)
        var report = FuzzReport(target: name)
        let fd = try FileDescriptor.open(FilePath(path), mode)
        defer { try? fd.close() }
        try opened(fd)
        try started()
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<count {
            let input = makeInput(&source)
            let before = clock.now
            let result = input.withUnsafeBytes { pwrite(fd.rawValue, $0.baseAddress, $0.count, 0) }
            let error = Errno(rawValue: errno)
            report.writing += clock.now - before
            report.inputs += 1
            report.bytes += input.count
            if result < 0 && allowed.contains(error) {
                report.refusals[error, default: 0] += 1
            } else {
                report.failureCount += 1
                if report.failures.count < Self.failuresKept {
                    let outcome = result < 0 ? "refused with \(error)" : "accepted (\(result) bytes)"
                    report.failures.append("input \(index) \(Self.quoted(input)): \(outcome)")
                }
            }
            if (index + 1) % Self.checkpointInterval == 0 { try checkpoint() }
        }
        if count % Self.checkpointInterval != 0 { try checkpoint() }
        report.duration = clock.now - start
        try finished(fd)
        FileHandle.standardError.write(Data((report.description + "\n").utf8))
        for failure in report.failures { Issue.record("\(name): \(failure); seed \(FuzzSeed.value)") }
        return report
    }

    /// `bytes` as a C string literal, at most 80 bytes of it.
    static func quoted(_ bytes: [UInt8]) -> String {
        var text = "\""
        for byte in bytes.prefix(80) {
            switch byte {
            case 0x0a: text += "\\n"
            case 0x5c: text += "\\\\"
            case 0x22: text += "\\\""
            case 0x20...0x7e: text += String(UnicodeScalar(byte))
            default: text += String(format: "\\x%02x", byte)
            }
        }
        return text + (bytes.count > 80 ? "\"... (\(bytes.count) bytes)" : "\"")
    }
}

/// What a malformed write must not change: klpsv's introspection files,
/// the values of every readable parameter of the modules loaded, our
/// modules' reference counts and states, the livepatches, and what the
/// `probes` return.
struct StateSnapshot: Equatable {
    var values: [String: String]

    /// The modules whose parameters and reference counts are recorded.
    static let modules = [KlpsvModule.store, KlpsvModule.hooks, Samples.target, KlpsvBench.module,
                          VirtualPatches.name(1), VirtualPatches.name(2)]

    init(probes: [String: () throws -> String] = [:]) throws {
        let files = LocalFileAccess()
        let debugfs = KlpsvDebugfs()
        var values: [String: String] = [:]
        func record(_ path: String) {
            do {
                values[path] = try files.contents(of: path)
            } catch {
                values[path] = "unreadable: \(error)"
            }
        }
        for path in [debugfs.statsPath, debugfs.shadowsPath, debugfs.statesPath, debugfs.patchesPath] {
            record(path)
        }
        for module in Self.modules {
            let directory = "/sys/module/\(module)/parameters"
            for name in (try? files.entries(of: directory)) ?? [] { record(directory + "/" + name) }
        }
        // name, size, reference count, holders, state: not the address.
        let ours = try files.contents(of: "/proc/modules").split(separator: "\n")
            .filter { line in Self.modules.contains { line.hasPrefix($0 + " ") } }
            .map { $0.split(separator: " ").prefix(5).joined(separator: " ") }
        values["/proc/modules"] = ours.sorted().joined(separator: "\n")
        let livepatch = "/sys/kernel/livepatch"
        for patch in ((try? files.entries(of: livepatch)) ?? []).sorted() {
            record("\(livepatch)/\(patch)/enabled")
            record("\(livepatch)/\(patch)/transition")
        }
        for (name, probe) in probes {
            do {
                values[name] = try probe()
            } catch {
                values[name] = "failed: \(error)"
            }
        }
        self.values = values
    }

    /// Records an issue for each value that differs from `earlier`'s.
    func expectUnchanged(since earlier: StateSnapshot, _ what: String) {
        for key in Set(values.keys).union(earlier.values.keys).sorted() where values[key] != earlier.values[key] {
            Issue.record("""
                \(what): \(key) changed; seed \(FuzzSeed.value)
                before: \(earlier.values[key] ?? "(none)")
                after:  \(values[key] ?? "(none)")
                """)
        }
    }
}

/// The parsers of Linux 6.1 that module parameters go through, for the
/// inputs that must be refused: an input these accept is never used.
enum KernelParsers {
    /// True when `kstrtobool()` (lib/kstrtox.c) parses `bytes` (as the C
    /// string they start with), and to what.
    static func bool(_ bytes: [UInt8]) -> Bool? {
        let first = bytes.first ?? 0
        let second = bytes.count > 1 ? bytes[1] : 0
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "1"):
            return true
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "0"):
            return false
        case UInt8(ascii: "o"), UInt8(ascii: "O"):
            switch second {
            case UInt8(ascii: "n"), UInt8(ascii: "N"): return true
            case UInt8(ascii: "f"), UInt8(ascii: "F"): return false
            default: return nil
            }
        default:
            return nil
        }
    }
}
