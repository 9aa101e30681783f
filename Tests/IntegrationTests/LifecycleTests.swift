import ShadowKit
import SystemPackage
import Testing

extension InVM {
    @Suite("module life cycle")
    struct LifecycleTests {
        @Test("klpsv cannot be unloaded while klpsv_test is loaded", .inKlpsvVM)
        func unloadRefusedWhileHeld() throws {
            try Fixture.run { session in
                let info = try #require(try session.loader.info(KlpsvModule.store))
                #expect(info.holders == [KlpsvModule.hooks])
                #expect(info.refcount >= 1)
                let error = #expect(throws: ModuleError.self) { try session.loader.unload(KlpsvModule.store) }
                #expect(error?.code == .inUse)
                #expect(error?.errno == .resourceBusy)
                #expect(error?.description == "could not unload klpsv: Module is in use by: klpsv_test")
                let kernel = #expect(throws: Errno.self) { try LibkmodBackend().remove(name: KlpsvModule.store) }
                #expect(kernel == .resourceBusy || kernel == .resourceTemporarilyUnavailable)
                #expect(session.loader.isLoaded(KlpsvModule.store))
                #expect(try session.stats().total == .zero)
            }
        }

        @Test("klpsv frees shadows left behind at its unload", .inKlpsvVM)
        func leftoversAreFreed() throws {
            let report = try Fixture.run(expectedLeftovers: 3) { session in
                try session.setHooksParameter("cleanup_on_exit", "0")
                for name in ["a", "b", "c"] {
                    _ = try session.hooks.newObject(name)
                    #expect(try session.hooks.alloc(.named(name), id: 1, size: 8).found)
                }
            }
            #expect(report.finalStats[id: 1].live == 3)
            let lines = report.log.lines(matching: "leftover")
            #expect(!lines.isEmpty, "no line about leftover shadows in: \(report.log.messages)")
            #expect(lines.contains { $0.message.split(whereSeparator: { !$0.isNumber }).contains("3") },
                    "the leftover line does not say 3: \(lines.map(\.message))")
            #expect(report.log.lines(matching: "still has objects").isEmpty)
        }

        @Test("an invalid list_max is refused at load", .inKlpsvVM, arguments: ["list_max=0", "list_max=abc"])
        func invalidParameter(_ parameter: String) throws {
            let error = try #require(try Fixture.loadRefused(parameters: [parameter]))
            #expect(error.code == .invalidParameters)
            #expect(error.errno == .invalidArgument)
            #expect(error.description
                == "could not load klpsv from \(try Integration.modulePath(KlpsvModule.store)): Invalid parameters (see dmesg)")
        }
    }
}
