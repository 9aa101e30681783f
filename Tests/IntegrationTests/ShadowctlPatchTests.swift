import Foundation
import ShadowKit
import Testing

/// The report of a step, without its first line's timing.
private func outcome(_ run: ShadowctlRun) -> [String] {
    run.lines.map { line in
        guard let took = line.range(of: " (patching took ") ?? line.range(of: " (unpatching took ") else {
            return line
        }
        return String(line[..<took.lowerBound])
    }
}

extension InVM {
    /// `shadowctl patch` driving real transitions of the samples.
    @Suite("shadowctl patch")
    struct ShadowctlPatchTests {
        @Test("load, replace, unload: states introduced, kept and removed, shadows freed", .inKlpsvVM)
        func cumulativeReplacements() throws {
            try Fixture.runWithSamples { session, samples, _ in
                try samples.command("new 3")
                let fix1 = try ShadowctlRun("patch", "load", "klpsv_fix1")
                #expect(fix1.status == 0, "\(fix1.error)")
                #expect(outcome(fix1) == ["klpsv_fix1: enabled", "state 1 introduced (shadow lifetime)"])
                try samples.command("touch")
                #expect(try session.stats()[id: 1].live == 3)

                let fix3 = try ShadowctlRun("patch", "load", "klpsv_fix3", "--json")
                #expect(fix3.status == 0, "\(fix3.error)")
                let report = try JSONDecoder().decode(Report.self, from: Data(fix3.output.utf8))
                #expect(report.patch == "klpsv_fix3")
                #expect(report.enabled)
                #expect(report.replaced == ["klpsv_fix1"])
                #expect(report.introduced == [2])
                #expect(report.removed == [.init(id: 1, freedShadows: 3)])
                #expect(report.freedShadows == 3)
                #expect(try session.stats()[id: 1].live == 0)

                let again = try ShadowctlRun("patch", "load", "klpsv_fix3")
                #expect(again.status == 1)
                #expect(again.error.contains("klpsv_fix3 is loaded already"))
                let enabled = try ShadowctlRun("patch", "unload", "klpsv_fix3")
                #expect(enabled.status == 1)
                #expect(enabled.error.contains("its livepatch is enabled; disable it first"))

                let unload = try ShadowctlRun("patch", "unload", "klpsv_fix1")
                #expect(unload.status == 0, "\(unload.error)")
                #expect(unload.output == "unloaded klpsv_fix1\n")
                #expect(!session.loader.isLoaded("klpsv_fix1"))

                let disable = try ShadowctlRun("patch", "disable", "klpsv_fix3")
                #expect(disable.status == 0, "\(disable.error)")
                #expect(outcome(disable) == ["klpsv_fix3: disabled and freed", "state 2 removed (manual lifetime)"])
                #expect(try ShadowctlRun("patch", "unload", "klpsv_fix3").status == 0)
            }
        }

        @Test("block_disable: disable refused unless forced, the orphan not unloaded until adopted", .inKlpsvVM)
        func blockDisable() throws {
            try Fixture.runWithSamples { session, samples, patches in
                let limit = try ShadowctlRun("patch", "load", "klpsv_limit")
                #expect(outcome(limit) == ["klpsv_limit: enabled", "state 7 introduced (manual lifetime, block_disable)"])

                let refused = try ShadowctlRun("patch", "disable", "klpsv_limit")
                #expect(refused.status == 1)
                #expect(refused.output == "")
                #expect(refused.error.hasPrefix(
                    "shadowctl: refusing to disable klpsv_limit: it is the last patch supporting block_disable state 7;"))
                #expect(try samples.modules.isEnabled("klpsv_limit"), "nothing changed")

                let forced = try ShadowctlRun("patch", "disable", "klpsv_limit", "--force")
                #expect(forced.status == 0, "\(forced.error)")
                #expect(outcome(forced) == [
                    "klpsv_limit: disabled and freed",
                    "klpsv_limit: kept by klpsv as an orphan: its block_disable states stay in force",
                    "state 7 kept (manual lifetime, block_disable, 0 shadows)",
                ])
                let pinned = try ShadowctlRun("patch", "unload", "klpsv_limit")
                #expect(pinned.status == 1)
                #expect(pinned.error.contains("klpsv keeps it as an orphan for block_disable state 7"))

                #expect(try patches.load(1, states: "7") == nil)
                #expect(try ShadowctlRun("patch", "unload", "klpsv_limit").status == 0, "adopted, the orphan is released")
                let last = try ShadowctlRun("patch", "disable", "klpsv_vp1")
                #expect(outcome(last) == ["klpsv_vp1: disabled and freed", "state 7 removed (manual lifetime)"])
                #expect(try ShadowctlRun("patch", "unload", "klpsv_vp1").status == 0)
            }
        }

        @Test("a transition held open: the timeout names the task; disable and enable reverse it", .inKlpsvVM)
        func heldTransitions() throws {
            try Fixture.runWithSamples { session, samples, _ in
                try samples.command("new 1")
                try samples.command("hold")
                let held = try ShadowctlRun("patch", "load", "klpsv_nap", "--timeout", "2")
                #expect(held.status == 1)
                #expect(held.error.contains("klpsv_nap: patching, waited 1 s"), "the progress line")
                #expect(held.error.contains("klpsv_nap did not finish patching in 2 s"))
                #expect(held.error.contains("klpsv_target_nap"), "the napping task's stack")
                #expect(try samples.inTransition(.nap), "the transition goes on")

                let reversed = try ShadowctlRun("patch", "disable", "klpsv_nap")
                #expect(reversed.status == 0, "\(reversed.error)")
                #expect(outcome(reversed) == [
                    "klpsv_nap: disabled and freed", "state 8 removed (shadow lifetime), 0 shadows freed",
                ], "its pre_patch had introduced it")
                try samples.command("release")
                #expect(try ShadowctlRun("patch", "unload", "klpsv_nap").status == 0)

                #expect(try ShadowctlRun("patch", "load", "klpsv_nap").status == 0)
                try samples.command("hold")
                let disabling = try ShadowctlRun("patch", "disable", "klpsv_nap", "--timeout", "2")
                #expect(disabling.status == 1)
                #expect(disabling.error.contains("klpsv_nap did not finish unpatching in 2 s"))
                let unloading = try ShadowctlRun("patch", "unload", "klpsv_nap")
                #expect(unloading.error.contains("its livepatch is still being disabled"))
                let enable = try ShadowctlRun("patch", "enable", "klpsv_nap")
                #expect(enable.status == 0, "\(enable.error)")
                #expect(outcome(enable) == ["klpsv_nap: enabled", "state 8 kept (shadow lifetime, 1 shadows)"])
                #expect(try session.debugfs.states()[id: 8]?.enabled == true)
                try samples.command("release")
            }
        }
    }
}

/// `shadowctl patch … --json`.
private struct Report: Decodable {
    struct Removed: Decodable, Equatable {
        var id: UInt64
        var freedShadows: UInt64
    }

    var patch: String
    var enabled: Bool
    var replaced: [String]
    var introduced, kept: [UInt64]
    var removed: [Removed]
    var freedShadows: UInt64
}
