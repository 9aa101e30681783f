import ShadowKit
import SystemPackage
import Testing

@Suite("klpsv_test client")
struct TestHooksTests {
    @Test func writesOneLineAndParsesTheResult() throws {
        let channel = FakeChannel(reply: "found=1 ptr=0000000012345678 ctor=1 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0 data=abab\n")
        let hooks = TestHooks(channel: channel)
        let result = try hooks.alloc(.named("a"), id: 1, size: 2, ctor: .fill(0xab))
        #expect(channel.written == ["alloc a 1 2 ctor=fill:0xab gfp=kernel\n"])
        #expect(result.found && result.ptr == "0000000012345678" && result.data == [0xab, 0xab])
    }

    @Test func eachMethodSendsItsCommand() throws {
        let channel = FakeChannel { line in
            switch line.split(separator: " ").first {
            case "obj" where line == "obj list": .success("count=1 names=a\n")
            case "obj": .success("obj=a ptr=00000000000000aa\n")
            case "free", "free-all": .success("dtor=0 dtor_ok=1 dtor_atomic=1 ctx_ok=1\n")
            case "set": .success("found=0\n")
            case "race": .success("ok=1 threads=1 iterations=1 gets=0 hits=0 ctor=0 dtor=0 errors=0\n")
            case "stress":
                .success("ok=1 seconds=1 threads=1 gets=0 hits=0 allocs=0 atomic_allocs=0 failed=0 atomic_failed=0 frees=0 "
                         + "atomic_frees=0 free_alls=0 ctor=0 dtor_run=0 live=0 dtor=0 errors=0\n")
            default: .success("found=0 ctor=0 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0\n")
            }
        }
        let hooks = TestHooks(channel: channel)
        _ = try hooks.newObject("a", size: 128)
        _ = try hooks.listObjects()
        try hooks.deleteObject("a")
        _ = try hooks.getOrAlloc(.null, id: 7, size: 8, gfp: .atomic)
        _ = try hooks.get(.null, id: 7, length: 8)
        try hooks.set(.null, id: 7, byte: 1, length: 8)
        try hooks.free(.null, id: 7, dtor: .none)
        try hooks.freeAll(id: 7)
        _ = try hooks.race(id: 7, threads: 1, iterations: 1, objects: 1)
        _ = try hooks.stress(id: 7, seconds: 1, threads: 1, objects: 1)
        #expect(channel.written == [
            "obj new a size=128\n", "obj list\n", "obj del a\n",
            "get-or-alloc null 7 8 ctor=none gfp=atomic\n", "get null 7 len=8\n", "set null 7 1 len=8\n",
            "free null 7 dtor=none\n", "free-all 7 dtor=count\n",
            "race 7 threads=1 iterations=1 objects=1\n", "stress 7 seconds=1 threads=1 objects=1\n",
        ])
    }

    @Test(arguments: [
        (Errno.invalidArgument, HookError.Code.malformedCommand, "malformed command (Invalid argument)"),
        (.noSuchFileOrDirectory, .noSuchObject, "no such parent object (No such file or directory)"),
        (.fileExists, .objectExists, "an object of that name exists (File exists)"),
        (.noMemory, .outOfMemory, "klpsv_test is out of memory (Cannot allocate memory)"),
        (.permissionDenied, .permissionDenied, "permission denied (are you root?) (Permission denied)"),
        (.ioError, .other, "failed (Input/output error)"),
    ])
    func aRefusedWriteIsAHookError(errno: Errno, code: HookError.Code, words: String) {
        let hooks = TestHooks(channel: FakeChannel { _ in .failure(errno) })
        let error = #expect(throws: HookError.self) { try hooks.get(.named("nosuch"), id: 1) }
        #expect(error?.code == code)
        #expect(error?.errno == errno)
        #expect(error?.description == "klpsv_test refused 'get nosuch 1': \(words)")
    }

    @Test func rawLinesAreSentAsTheyAre() throws {
        let channel = FakeChannel(reply: "count=0 names=\n")
        _ = try TestHooks(channel: channel).send(rawLine: "obj  list")
        #expect(channel.written == ["obj  list\n"])
    }

    @Test func aMalformedResultIsAnError() {
        let hooks = TestHooks(channel: FakeChannel(reply: "garbage\n"))
        #expect(throws: MalformedOutput.self) { try hooks.free(.null, id: 1) }
    }

    @Test func needsTheHooksModule() {
        let files = FakeFiles(files: ["/proc/mounts": FakeFiles.debugfsMounted],
                              directories: ["/sys/kernel/debug", "/sys/kernel/debug/klpsv"])
        let error = #expect(throws: DebugfsError.self) { try TestHooks(debugfs: KlpsvDebugfs(files: files)) }
        #expect(error?.code == .moduleNotLoaded)
        #expect(error?.description == "klpsv_test is not loaded (no /sys/kernel/debug/klpsv_test)")
    }
}
