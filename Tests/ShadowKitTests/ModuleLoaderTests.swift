import ShadowKit
import SystemPackage
import Testing

@Suite("module loader")
struct ModuleLoaderTests {
    static let files = FakeFiles(files: ["/k/klpsv.ko": "", "/k/klpsv_test.ko": ""])

    static func loader(_ kmod: FakeKmod) -> ModuleLoader {
        ModuleLoader(backend: kmod, files: files, sleep: { _ in })
    }

    @Test func loadsWithTheParametersAsOneOptionString() throws {
        let kmod = FakeKmod()
        try Self.loader(kmod).load("/k/klpsv.ko", parameters: ["list_max=5", "foo=bar"])
        #expect(kmod.calls == ["insert /k/klpsv.ko 'list_max=5 foo=bar'"])
        #expect(Self.loader(kmod).isLoaded("klpsv"))
    }

    @Test func aMissingFileIsNotLoaded() {
        let kmod = FakeKmod()
        let error = #expect(throws: ModuleError.self) { try Self.loader(kmod).load("/k/nothere.ko") }
        #expect(error?.code == .fileNotFound)
        #expect(error?.description == "could not load nothere from /k/nothere.ko: Module file not found (No such file or directory)")
        #expect(kmod.calls.isEmpty)
    }

    @Test(arguments: [
        (Errno.execFormatError, ModuleError.Code.invalidFormat, "Invalid module format"),
        (.noSuchFileOrDirectory, .unknownSymbolOrParameter, "Unknown symbol in module, or unknown parameter (see dmesg)"),
        (.fileExists, .alreadyLoaded, "Module already loaded (File exists)"),
        (.invalidArgument, .invalidParameters, "Invalid parameters (see dmesg)"),
        (.notPermitted, .notPermitted, "Operation not permitted (are you root?)"),
        (.resourceBusy, .initBusy, "Device or resource busy (its init refused: see dmesg)"),
        (.noMemory, .other, "Cannot allocate memory"),
    ])
    func loadFailuresAreWordedLikeInsmod(errno: Errno, code: ModuleError.Code, reason: String) {
        let kmod = FakeKmod()
        kmod.failInsert(with: errno)
        let error = #expect(throws: ModuleError.self) {
            try Self.loader(kmod).load("/k/klpsv.ko", parameters: ["list_max=0"])
        }
        #expect(error?.code == code)
        #expect(error?.errno == errno)
        #expect(error?.operation == .load)
        #expect(error?.description == "could not load klpsv from /k/klpsv.ko: \(reason)")
    }

    @Test func unloadRemovesAnIdleModule() throws {
        let kmod = FakeKmod([ModuleInfo(name: "klpsv", state: .live)])
        try Self.loader(kmod).unload("klpsv")
        #expect(kmod.calls == ["info klpsv", "remove klpsv"])
        #expect(!Self.loader(kmod).isLoaded("klpsv"))
    }

    @Test func holdersPreventUnloadAndAreNamed() {
        let kmod = FakeKmod([ModuleInfo(name: "klpsv", state: .live, refcount: 1, holders: ["klpsv_test"])])
        let error = #expect(throws: ModuleError.self) { try Self.loader(kmod).unload("klpsv") }
        #expect(error?.code == .inUse)
        #expect(error?.errno == .resourceBusy)
        #expect(error?.holders == ["klpsv_test"])
        #expect(error?.description == "could not unload klpsv: Module is in use by: klpsv_test")
        #expect(!kmod.calls.contains("remove klpsv"))
    }

    @Test func unloadWaitsForOpenFilesToBeClosed() throws {
        let kmod = FakeKmod([ModuleInfo(name: "klpsv_test", state: .live)])
        kmod.refcounts("klpsv_test", [1, 1, 0])
        try Self.loader(kmod).unload("klpsv_test")
        #expect(kmod.calls == ["info klpsv_test", "info klpsv_test", "info klpsv_test", "remove klpsv_test"])
    }

    @Test func aReferenceThatStaysMakesTheModuleBusy() {
        let kmod = FakeKmod([ModuleInfo(name: "klpsv", state: .live)])
        kmod.refcounts("klpsv", [2])
        let error = #expect(throws: ModuleError.self) { try Self.loader(kmod).unload("klpsv") }
        #expect(error?.code == .inUse)
        #expect(error?.description == "could not unload klpsv: Module is in use (refcount 2)")
        #expect(!kmod.calls.contains("remove klpsv"))
    }

    @Test func unloadOfAModuleNotLoadedFails() {
        let error = #expect(throws: ModuleError.self) { try Self.loader(FakeKmod()).unload("klpsv") }
        #expect(error?.code == .notLoaded)
        #expect(error?.description == "could not unload klpsv: Module is not currently loaded")
    }

    @Test func aBuiltinModuleIsNotUnloaded() {
        let kmod = FakeKmod([ModuleInfo(name: "klpsv", state: .builtin)])
        let error = #expect(throws: ModuleError.self) { try Self.loader(kmod).unload("klpsv") }
        #expect(error?.code == .builtin)
    }

    @Test(arguments: [
        (Errno.notPermitted, ModuleError.Code.notPermitted, "Operation not permitted (are you root?)"),
        (.resourceTemporarilyUnavailable, .inUse, "Module is in use"),
        (.noSuchFileOrDirectory, .notLoaded, "Module is not currently loaded"),
    ])
    func removeFailuresAreWordedLikeRmmod(errno: Errno, code: ModuleError.Code, reason: String) {
        let kmod = FakeKmod([ModuleInfo(name: "klpsv", state: .live)])
        kmod.failRemove(with: errno)
        let error = #expect(throws: ModuleError.self) { try Self.loader(kmod).unload("klpsv") }
        #expect(error?.code == code)
        #expect(error?.description == "could not unload klpsv: \(reason)")
    }

    @Test(arguments: [("/k/klpsv.ko", "klpsv"), ("klpsv_test.ko", "klpsv_test"),
                      ("/lib/modules/x/foo-bar.ko.zst", "foo_bar"), ("/k/plain", "plain")])
    func namesModulesLikeTheKernel(path: String, name: String) {
        #expect(ModuleLoader.moduleName(forPath: path) == name)
    }
}
