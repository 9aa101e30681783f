import Foundation
import Testing

/// The contract every shadowctl command keeps: one version, one JSON
/// document per run with `--json`, one key convention, typed modes with
/// completions.
@Suite("shadowctl's one contract")
struct ContractTests {
    /// The repository, from this file's place in it.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func versionIsTheRepositorysVersion() throws {
        let outcome = try ShadowctlRunner.run(["--version"])
        let file = try String(contentsOf: Self.repository.appendingPathComponent("VERSION"), encoding: .utf8)
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == file)
        #expect(file.wholeMatch(of: /\d+\.\d+\.\d+\n/) != nil)
    }

    @Test("a failure with --json prints one error document, with the status it exits with", arguments: [
        (["stats", "--json"], 4), (["states", "--json"], 4), (["list", "--json"], 4), (["patches", "--json"], 4),
        (["get", "a", "1", "--json"], 4), (["obj", "list", "--json"], 4),
        (["get", "a", "12x", "--json"], 2), (["alloc", "a", "-1", "8", "--json"], 2),
        (["stats", "--bogus", "--json"], 2), (["alloc", "a", "1", "8", "--gfp", "x", "--json"], 2),
        (["patch", "disable", "nothing", "--json"], 5), (["patch", "load", "/nonexistent/x.ko", "--json"], 5),
    ] as [([String], Int32)])
    func failuresAreOneJSONDocument(arguments: [String], status: Int32) throws {
        let debugfs = try FakeDebugfs()
        defer { debugfs.remove() }
        let livepatch = try FakeDebugfs()
        defer { livepatch.remove() }
        let outcome = try ShadowctlRunner.run(arguments, debugfs: debugfs.path, livepatch: livepatch.path)
        #expect(outcome.status == status)
        let document = try #require(ErrorDocument(outcome.standardOutput), "stdout: '\(outcome.standardOutput)'")
        #expect(document.exitStatus == status)
        #expect(outcome.standardError.hasPrefix("shadowctl: " + document.error + "\n"))
    }

    @Test func aReportThatEndsInAFailureIsTheOnlyDocument() throws {
        // status --json reports the missing module in its own document, and exits 4.
        let debugfs = try FakeDebugfs()
        defer { debugfs.remove() }
        let outcome = try ShadowctlRunner.run(["status", "--json"], debugfs: debugfs.path)
        #expect(outcome.status == 4)
        #expect(outcome.standardOutput.split(separator: "\n").count == 1)
        #expect(ErrorDocument(outcome.standardOutput) == nil)
        #expect(outcome.standardOutput.contains("\"problem\""))
    }

    @Test func theDebianPackagesHaveTheRepositorysVersion() throws {
        let version = try String(contentsOf: Self.repository.appendingPathComponent("VERSION"), encoding: .utf8)
        let changelog = try String(contentsOf: Self.repository.appendingPathComponent("debian/changelog"), encoding: .utf8)
        let first = try #require(changelog.firstMatch(of: /^klpsv \(([^)]+)\)/)?.1)
        #expect(String(first) + "\n" == version)
    }

    @Test func jsonKeysAreLowerCamelCase() throws {
        let sources = Self.repository.appendingPathComponent("Sources/shadowctl")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
        var keys: [String] = []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            // Every explicit key of a CodingKeys enum: `case a, b = "c"`.
            for match in text.matches(of: /enum CodingKeys[^{]*\{([^}]*)\}/) {
                keys += match.1.matches(of: /"([^"]+)"|\b([a-z][A-Za-z0-9_]*)\b/).compactMap { key in
                    key.1.map(String.init) ?? key.2.map(String.init)
                }.filter { $0 != "case" }
            }
        }
        #expect(!keys.isEmpty)
        #expect(keys.filter { $0.wholeMatch(of: /[a-z][A-Za-z0-9]*/) == nil } == [])
    }

    @Test func modesAreCompleted() throws {
        let outcome = try ShadowctlRunner.run(["--generate-completion-script", "bash"])
        #expect(outcome.status == 0)
        let words = { (values: [String]) in "-W " + values.map { "'\($0)'" }.joined(separator: "$'\\n'") }
        #expect(outcome.standardOutput.contains(words(["kernel", "atomic", "irqoff", "hardirq"])))
        #expect(outcome.standardOutput.contains(words(["count", "none"])))
        #expect(outcome.standardOutput.contains(words(["none", "fill:", "fail:", "nest:"])))
    }

    @Test func packagesArePinnedToExactVersions() throws {
        let manifest = try String(contentsOf: Self.repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        let packages = manifest.matches(of: /\.package\(url: "[^"]+", ([a-z]+):/).map { String($0.1) }
        #expect(!packages.isEmpty)
        #expect(packages.allSatisfy { $0 == "exact" })
    }
}
