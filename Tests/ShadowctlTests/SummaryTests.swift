import ShadowKit
import Testing
@testable import shadowctl

/// The one-line summaries shadowctl prints for shadow commands.
@Suite("shadowctl summaries")
struct SummaryTests {
    static let pointer = "00000000c0ffee12"

    static func shadow(_ command: String, size: UInt64? = 64, ctor: Constructor? = Constructor.none,
                       _ result: ShadowResult) -> ShadowReport {
        ShadowReport(command: command, object: .named("a"), id: 1, size: size, constructor: ctor, result: result)
    }

    @Test func allocWithAConstructor() {
        let report = Self.shadow("alloc", ctor: .fill(0xab), ShadowResult(
            found: true, ptr: Self.pointer, ctorCalls: 1, data: [UInt8](repeating: 0xab, count: 64)))
        #expect(report.summary == "allocated <obj a, id 1>: 64 bytes at \(Self.pointer), ctor ran (atomic), "
            + "data ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab …")
        #expect(report.status == .success)
    }

    @Test func allocOfAShortShadowShowsAllItsData() {
        let report = Self.shadow("alloc", size: 2, ShadowResult(found: true, ptr: Self.pointer, data: [0, 0]))
        #expect(report.summary == "allocated <obj a, id 1>: 2 bytes at \(Self.pointer), no ctor call, data 00 00")
    }

    @Test func aDuplicateAllocIsNotFound() {
        let report = Self.shadow("alloc", ShadowResult(found: false))
        #expect(report.summary == "not allocated <obj a, id 1>: it exists already, or out of memory")
        #expect(report.status == .notFound)
    }

    @Test func aFailingConstructorIsNotFound() {
        let report = Self.shadow("get-or-alloc", ctor: .fail(5), ShadowResult(found: false, ctorCalls: 1))
        #expect(report.summary == "not allocated <obj a, id 1>: ctor ran (atomic) and failed")
        #expect(report.status == .notFound)
    }

    @Test func getOrAllocSaysWhetherItCreated() {
        let created = Self.shadow("get-or-alloc", size: 0, ctor: .fill(1),
                                  ShadowResult(found: true, ptr: Self.pointer, ctorCalls: 1))
        let existing = Self.shadow("get-or-alloc", size: 0, ctor: .fill(1),
                                   ShadowResult(found: true, ptr: Self.pointer))
        let unknown = Self.shadow("get-or-alloc", size: 0, ShadowResult(found: true, ptr: Self.pointer))
        #expect(created.summary.hasPrefix("created <obj a, id 1>"))
        #expect(existing.summary.hasPrefix("found existing <obj a, id 1>"))
        #expect(unknown.summary.hasPrefix("got <obj a, id 1>"))
    }

    @Test func failedConstructorChecksAreAFailure() {
        let report = Self.shadow("alloc", ctor: .fill(1), ShadowResult(
            found: true, ptr: Self.pointer, ctorCalls: 1, ctorOK: false, ctorAtomic: false))
        #expect(report.summary.contains("ctor ran (not atomic), CTOR CHECKS FAILED"))
        #expect(report.status == .failure)
    }

    @Test func get() {
        let found = ShadowReport(command: "get", object: .null, id: 7,
                                 result: ShadowResult(found: true, ptr: Self.pointer, data: [1, 2]))
        let missing = ShadowReport(command: "get", object: .null, id: 7, result: ShadowResult(found: false))
        #expect(found.summary == "found <NULL, id 7> at \(Self.pointer), data 01 02")
        #expect(missing.summary == "no shadow <NULL, id 7>")
        #expect(missing.status == .notFound)
    }

    @Test func free() {
        func summary(_ object: ShadowObject?, _ dtor: Destructor, _ calls: UInt64, ok: Bool = true) -> String {
            FreeReport(command: "free", object: object, id: 1, destructor: dtor,
                       result: FreeResult(dtorCalls: calls, dtorOK: ok)).summary
        }
        #expect(summary(.named("a"), .count, 1) == "freed <obj a, id 1>: dtor ran once (checks ok)")
        #expect(summary(.named("a"), .count, 0) == "nothing to free for <obj a, id 1> (dtor not called)")
        #expect(summary(.named("a"), .none, 0) == "freed <obj a, id 1>, if any (no dtor passed)")
        #expect(summary(nil, .count, 3) == "freed every shadow with id 1: dtor ran 3 times (checks ok)")
        #expect(summary(nil, .count, 2, ok: false) == "freed every shadow with id 1: dtor ran 2 times, DTOR CHECKS FAILED")
    }

    @Test func tablesAlignNumbersRight() {
        var table = TextTable([("id", .left), ("live", .right)])
        table.append(["1", "2"])
        table.append(["total", "1024"])
        #expect(table.lines == ["id     live", "1         2", "total  1024"])
    }
}
