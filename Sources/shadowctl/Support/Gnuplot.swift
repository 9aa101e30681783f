#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ShadowKit

/// Pictures drawn by gnuplot (Debian's gnuplot-nox), run as a child process.
enum Gnuplot {
    /// Draws ns/op of get hit and get miss against live shadows, log-log,
    /// one line per store and workload, to the PNG file `path`.
    static func drawScaling(_ measurements: [BenchMeasurement], to path: String) throws {
        let series: [(BenchRun.Workload, BenchRun.Store)] = [
            (.getHit, .klpsv), (.getHit, .kernel), (.getMiss, .klpsv), (.getMiss, .kernel),
        ]
        var data = ""
        var plots: [String] = []
        for (workload, store) in series {
            // One point per size, from the scaling runs: one thread, a
            // fixed number of operations (thread runs are time-boxed).
            var bySize: [Int: BenchMeasurement] = [:]
            for measurement in measurements where measurement.run.workload == workload
                && measurement.run.store == store && measurement.run.threads == 1
                && measurement.run.milliseconds == 0 {
                bySize[measurement.run.live] = measurement
            }
            let points = bySize.values.sorted { $0.run.live < $1.run.live }
            guard !points.isEmpty else { continue }
            data += points.map { "\($0.run.live) \(fixed($0.medianNanoseconds, 1))" }.joined(separator: "\n") + "\n\n\n"
            plots.append("$scaling index \(plots.count) with linespoints lw 2 title '\(store.rawValue) \(workload.rawValue)'")
        }
        guard !plots.isEmpty else { throw CommandFailure("nothing to plot: no get runs") }
        let directory = try temporaryDirectory()
        defer { removeDirectory(directory) }
        let scriptPath = directory + "/scaling.gp"
        let script = """
            $scaling << EOD
            \(data)EOD
            set terminal pngcairo size 900,600 font ',11'
            set output '\(path.replacingQuoted())'
            set title 'klpsv against the kernel: time per get (median)' noenhanced
            set logscale xy
            set xlabel 'live shadows'
            set ylabel 'ns per operation'
            set grid
            set key top left noenhanced
            plot \(plots.joined(separator: ", "))

            """
        try writeFile(scriptPath, script)
        try run(["gnuplot", scriptPath])
    }

    private static func run(_ arguments: [String]) throws {
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawnp(&pid, arguments[0], nil, nil, argv, environ)
        guard status == 0 else {
            throw CommandFailure("cannot run \(arguments[0]): \(String(cString: strerror(status))) "
                + "(install gnuplot-nox: make setup)")
        }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
        guard waitStatus & 0x7f == 0, (waitStatus >> 8) & 0xff == 0 else {
            throw CommandFailure("\(arguments[0]) failed (status \(waitStatus))")
        }
    }

    private static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/shadowctl-plot-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CommandFailure("cannot make a temporary directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    private static func removeDirectory(_ path: String) {
        unlink(path + "/scaling.gp")
        rmdir(path)
    }

    private static func writeFile(_ path: String, _ text: String) throws {
        guard let file = fopen(path, "w") else {
            throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let written = fputs(text, file)
        guard fclose(file) == 0, written >= 0 else { throw CommandFailure("cannot write \(path)") }
    }
}

private extension String {
    /// The text for a single-quoted gnuplot string.
    func replacingQuoted() -> String {
        split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''")
    }
}
