import SystemPackage

/// `klpsv_bench.ko`'s debugfs files: runs are written to `ctl`, which
/// answers with the measurement; `overhead` gives each store's bookkeeping
/// bytes per shadow.
public struct KlpsvBench: Sendable {
    /// The module.
    public static let module = KlpsvModule.bench

    /// The module's debugfs directory.
    public let directory: String
    private let files: any FileAccess
    private let channel: @Sendable (String) -> any ControlChannel

    /// Creates a client of the benchmark under debugfs `debugfs`.
    public init(debugfs: KlpsvDebugfs, files: any FileAccess = LocalFileAccess(),
                channel: @escaping @Sendable (String) -> any ControlChannel = { ControlFile(path: $0) }) {
        directory = debugfs.root + "/" + Self.module
        self.files = files
        self.channel = channel
    }

    /// Runs `run` to the end (seconds to minutes) and returns what it measured.
    ///
    /// - Throws: ``BenchError`` or ``MalformedOutput``.
    public func measure(_ run: BenchRun) throws -> BenchMeasurement {
        let path = directory + "/ctl"
        let text: String
        do {
            text = try channel(path).exchange(run.command + "\n")
        } catch {
            throw BenchError(run: run, path: path, errno: error)
        }
        return try BenchMeasurement(parsing: text, of: run, source: path)
    }

    /// The bytes each store spends on a shadow besides its data.
    ///
    /// - Throws: ``BenchError`` or ``MalformedOutput``.
    public func overhead() throws -> [BenchRun.Store: Int] {
        let path = directory + "/overhead"
        let text: String
        do {
            text = try files.contents(of: path)
        } catch {
            throw BenchError(run: nil, path: path, errno: error)
        }
        var sizes: [BenchRun.Store: Int] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count == 2, let store = BenchRun.Store(rawValue: String(words[0])),
                  let bytes = Int(words[1]) else {
                throw MalformedOutput(source: path, reason: "expected 'STORE BYTES' lines", text: text)
            }
            sizes[store] = bytes
        }
        guard sizes.count == BenchRun.Store.allCases.count else {
            throw MalformedOutput(source: path, reason: "expected a line per store", text: text)
        }
        return sizes
    }
}

/// A benchmark run, or a benchmark file, the kernel refused.
public struct BenchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The run, if one was refused.
    public var run: BenchRun?
    /// The file.
    public var path: String
    /// The kernel's answer.
    public var errno: Errno

    public init(run: BenchRun?, path: String, errno: Errno) {
        self.run = run
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let what = run.map { "benchmark run '\($0.command)'" } ?? path
        switch errno {
        case .noSuchFileOrDirectory:
            return "\(what): no \(path): is \(KlpsvBench.module) loaded?"
        case .invalidArgument:
            return "\(what): refused as malformed (\(errno))"
        case .resourceBusy:
            return "\(what): another benchmark run is in progress"
        case .noMemory:
            return "\(what): not enough memory for that many shadows"
        default:
            return "\(what): \(errno)"
        }
    }
}
