import ArgumentParser
import ShadowKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Shadowctl {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Benchmark klpsv against the kernel's klp_shadow_*, and check the targets.",
            discussion: """
                Runs klpsv_bench.ko (loaded, with klpsv.ko, from --dir when needed, and \
                unloaded afterwards if it was loaded here): every workload on both stores, \
                the same inputs in the same order, in this boot, then holds shadows in each \
                store and reads the memory they take (root: it writes \
                /proc/sys/vm/stat_refresh). Prints the targets with both stores' figures, \
                the ratio and whether it is met, the memory per shadow, then every run. \
                The times are medians of --reps repetitions after a warm-up. Under TCG \
                emulation only the ratios mean anything.
                """)

        @Flag(help: "A small run for CI: every workload, seconds, targets not meaningful.")
        var smoke = false

        @Option(help: ArgumentHelp("Timed repetitions per run, 1-31.", valueName: "n"))
        var reps: Int?

        @Flag(help: "Exit with status 1 when a target is missed.")
        var strict = false

        @Option(help: ArgumentHelp("Also write the results as JSON to this file.", valueName: "file"))
        var output: String?

        @Option(help: ArgumentHelp("Draw ns/op against live shadows, both stores, to this PNG (gnuplot).",
                                   valueName: "file.png"))
        var plot: String?

        @Option(help: ArgumentHelp("The directory holding the modules.", valueName: "dir"))
        var dir: String?

        @OptionGroup var format: OutputOptions

        func validate() throws {
            if let reps, !(1...31).contains(reps) { throw ValidationError("--reps must be 1 to 31, not \(reps)") }
            if let plot, !plot.hasSuffix(".png") { throw ValidationError("--plot needs a .png file, not '\(plot)'") }
        }

        func run() throws {
            var plan = smoke ? BenchPlan.smoke : BenchPlan.full
            if let reps { plan.reps = reps }
            let environment = Environment()
            let loaded = try loadModules(environment.loader)
            defer { unload(loaded, environment.loader) }

            let bench = KlpsvBench(debugfs: environment.debugfs)
            let quiet = try plan.quiet.map { quiet in
                try bench.waitForQuiet(quiet) { attempt in
                    printError("bench: waiting for a quiet machine, \(quiet.maxWait) at most [\(attempt)] \(quiet.probe.command)")
                }
            }
            let steps = plan.steps
            var measurements: [BenchMeasurement] = []
            var memory: [BenchMemory] = []
            for (index, step) in steps.enumerated() {
                printError("bench: [\(index + 1)/\(steps.count)] \(step.command)")
                switch step {
                case .run(let run): measurements.append(try bench.measure(run))
                case .hold(let hold): memory.append(try bench.measureMemory(hold))
                }
            }
            let targets = BenchTarget.all(for: plan)
            let outcomes = BenchOutcome.evaluate(targets, measurements: measurements, memory: memory)
            let ceiling = BenchCeiling(plan: plan, measurements: measurements)
            let report = BenchReportJSON(smoke: smoke, outcomes: outcomes, ceiling: ceiling,
                                         measurements: measurements, memory: memory)
            if let output { try report.write(to: output) }
            if let plot { try Gnuplot.drawScaling(measurements, to: plot) }
            if format.json {
                try printJSON(report)
            } else {
                benchLines(targets: targets, outcomes: outcomes, ceiling: ceiling, measurements: measurements,
                           memory: memory).forEach { print($0) }
                if let quiet {
                    print(quiet.quiet ? "machine quiet before the first run: two runs of spin agreed, after \(quiet.tries)"
                                      : "machine not quiet before the first run: no two runs of spin in a row agreed in \(quiet.tries); timed all the same")
                }
            }
            // A target left out for want of a figure is missed, not met.
            let missed = targets.count - outcomes.filter(\.passed).count
            if strict, missed > 0 {
                throw CommandFailure("\(missed) of \(targets.count) targets missed", reported: true)
            }
        }

        /// Loads what is missing of klpsv.ko and klpsv_bench.ko; returns the
        /// names loaded, to unload afterwards, newest first.
        private func loadModules(_ loader: ModuleLoader) throws -> [String] {
            let missing = [KlpsvModule.store, KlpsvBench.module].filter { !loader.isLoaded($0) }
            guard !missing.isEmpty else { return [] }
            let directory = try Environment().moduleDirectory(dir)
            var loaded: [String] = []
            for name in missing {
                do {
                    try loader.load(directory + "/" + KlpsvModule.fileName(of: name))
                } catch {
                    unload(loaded, loader)
                    throw error
                }
                loaded.insert(name, at: 0)
            }
            return loaded
        }

        private func unload(_ names: [String], _ loader: ModuleLoader) {
            for name in names {
                do {
                    try loader.unload(name)
                } catch {
                    printError("\(error)")
                }
            }
        }
    }
}
