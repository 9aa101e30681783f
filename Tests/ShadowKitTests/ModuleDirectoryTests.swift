import ShadowKit
import Testing

@Suite("module directory")
struct ModuleDirectoryTests {
    static let files = FakeFiles(files: ["/src/klpsv/kmod/Kbuild": ""])

    @Test func walksUpFromTheBuildDirectory() {
        #expect(ModuleDirectory.find(walkingUpFrom: ["/src/klpsv/.build/x86_64-unknown-linux-gnu/debug"],
                                     files: Self.files) == "/src/klpsv/kmod")
    }

    @Test func triesEachStartInTurn() {
        #expect(ModuleDirectory.find(walkingUpFrom: ["/usr/local/bin", "/src/klpsv/scripts"],
                                     files: Self.files) == "/src/klpsv/kmod")
    }

    @Test func findsNothingOutsideTheRepository() {
        #expect(ModuleDirectory.find(walkingUpFrom: ["/usr/local/bin", "/"], files: Self.files) == nil)
    }
}
