import ShadowKit
import Testing

/// The log a livepatch selftest script of the kernel expects: the text of
/// its `check_result "..."`, without the `% modprobe`/`% rmmod` lines that
/// the selftest's own helpers log, `$MOD_TEST` replaced by `module`.
private func expectedLog(ofSelftest script: String, module: String) throws -> [String] {
    let start = try #require(script.range(of: "check_result \""), "no check_result in the selftest")
    let rest = script[start.upperBound...]
    let end = try #require(rest.range(of: "\"\n"), "check_result's text does not end")
    return rest[..<end.lowerBound]
        .split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.replacingOccurrences(of: "$MOD_TEST", with: module) }
        .filter { !$0.hasPrefix("% ") }
}

/// What upstream's check_result() compares: the lines of the livepatch core
/// and of the test modules, without the kernel's taint notices.
private func selftestLines(_ log: KernelLog, module: String) -> [String] {
    log.messages.filter { message in
        (message.hasPrefix(module + ": ") || message.hasPrefix("livepatch: "))
            && !message.contains("taints kernel") && !message.contains("tainting kernel")
    }
}

extension InVM {
    /// The kernel's own tests of the API klpsv ports, built from Debian's
    /// linux-source-6.1 with only the prefix changed (scripts/upstream-tests),
    /// against the logs upstream's selftest scripts expect.
    @Suite("upstream's tests")
    struct UpstreamTests {
        @Test("test_klp_shadow_vars, klp_shadow_ renamed, logs what test-shadow-vars.sh expects", .inKlpsvVM)
        func shadowVars() throws {
            let module = "test_klpsv_shadow_vars"
            let script = try LocalFileAccess().contents(
                of: Integration.moduleDirectory() + "/upstream/test-shadow-vars.sh")
            let expected = try expectedLog(ofSelftest: script, module: module)
            #expect(expected.count > 50, "upstream expects a long log")
            let report = try Fixture.run { session in
                try session.loader.load(Integration.modulePath(module))
                try session.loader.unload(module)
            }
            #expect(selftestLines(report.log, module: module) == expected)
        }

        /// The tests of test-callbacks.sh, in its order.
        static let callbackTests = [
            "target module before livepatch", "module_coming notifier", "module_going notifier",
            "module_coming and module_going notifiers", "target module not present",
            "pre-patch callback -ENODEV", "module_coming + pre-patch callback -ENODEV",
            "multiple target modules", "busy target module", "multiple livepatches", "atomic replace",
        ]

        /// The tests of test-state.sh, in its order.
        static let stateTests = [
            "system state modification", "taking over system state modification",
            "compatible cumulative livepatches", "incompatible cumulative livepatches",
        ]

        @Test("test-callbacks.sh and test-state.sh hold the tests run here, no other", .inKlpsvVM)
        func selftestTitles() throws {
            #expect(try Selftest("test-callbacks.sh").titles == Self.callbackTests)
            #expect(try Selftest("test-state.sh").titles == Self.stateTests)
        }

        @Test("test-callbacks.sh, klp_enable_patch() -> klpsv_enable_patch(patch, NULL), logs what it expects",
              .inKlpsvVM, .dynamicDebug, arguments: callbackTests)
        func callbacks(_ title: String) throws {
            try expectPasses("test-callbacks.sh", title)
        }

        /// The patches keep the kernel's own klp_state (versions,
        /// klp_get_prev_state(), state->data) and declare no klpsv state:
        /// what this checks is that klpsv's takeover of their callbacks
        /// keeps the 6.1 semantics; klpsv's own states do not port by a sed
        /// (docs/states.md, "Upstream's selftests").
        @Test("test-state.sh, klp_enable_patch() -> klpsv_enable_patch(patch, NULL), logs what it expects",
              .inKlpsvVM, .dynamicDebug, arguments: stateTests)
        func states(_ title: String) throws {
            try expectPasses("test-state.sh", title)
        }

        private func expectPasses(_ script: String, _ title: String) throws {
            let run = try Fixture.runSelftest(script, title)
            if run.status != 0, Integration.underCheckers, let extra = Self.onlyLateSignal(run.output) {
                print("\(script): \(title): passed but for \(extra) line(s) of the core's, logged because a step took more than 15 s under the checkers")
                #expect(run.error == "ERROR: livepatch kselftest(s) failed\n")
                return
            }
            #expect(run.status == 0, "\(script): \(title): exit status \(run.status)\n\(run.output)\(run.error)")
            #expect(run.output == "TEST: \(title) ... ok\n")
            #expect(run.error.isEmpty)
        }

        /// The livepatch core signals the tasks that hold a transition open
        /// 15 s after it started (`SIGNALS_TIMEOUT`). Under KASAN or KCSAN on
        /// an emulator a step of upstream's scripts can take longer (the
        /// `modprobe` of "busy target module" did), and the core's log then
        /// has this one line more than upstream expects.
        static let lateSignal = "livepatch: signaling remaining tasks"

        /// When the result of a failed upstream test differs from what it
        /// expects only by added ``lateSignal`` lines, their number; nil when
        /// anything else differs.
        static func onlyLateSignal(_ output: String) -> Int? {
            let changes = output.split(separator: "\n", omittingEmptySubsequences: false).filter {
                ($0.hasPrefix("+") && !$0.hasPrefix("+++")) || ($0.hasPrefix("-") && !$0.hasPrefix("---"))
            }
            guard !changes.isEmpty, changes.allSatisfy({ $0 == "+" + lateSignal }) else { return nil }
            return changes.count
        }
    }
}
