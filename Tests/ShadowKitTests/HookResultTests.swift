import ShadowKit
import Testing

@Suite("klpsv_test result parsers")
struct HookResultTests {
    @Test func parsesAFoundShadow() throws {
        let result = try ShadowResult(ResultFields(parsing:
            "found=1 ptr=00000000c0ffee12 ctor=1 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0 data=abab00ff\n"))
        #expect(result == ShadowResult(found: true, ptr: "00000000c0ffee12", ctorCalls: 1,
                                       ctorOK: true, ctorAtomic: true, data: [0xab, 0xab, 0x00, 0xff]))
    }

    @Test func parsesANullShadow() throws {
        let result = try ShadowResult(ResultFields(parsing: "found=0 ctor=1 ctor_ok=1 ctor_atomic=0 ctx_ok=1 nested=0\n"))
        #expect(result == ShadowResult(found: false, ctorCalls: 1, ctorOK: true, ctorAtomic: false))
    }

    @Test func aFoundShadowMayHaveNoData() throws {
        let result = try ShadowResult(ResultFields(parsing: "found=1 ptr=1f ctor=0 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0 data="))
        #expect(result.data.isEmpty)
    }

    @Test(arguments: [
        ("", "empty result"),
        ("found=1 ptr=1f ctor=0 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0", "no 'data'"),
        ("found=1 ctor=0 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0 data=", "no 'ptr'"),
        ("found=2 ctor=0 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0", "'found' is not 0 or 1"),
        ("found=0 ctor=x ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0", "'ctor' is not a number"),
        ("found=1 ptr=ffff88800 ctor=0 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0 data=abc", "'data' has an odd number of hex digits"),
        ("found=1 ptr=1f ctor=0 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0 data=ABCD", "'data' is not lowercase hex"),
        ("found=1 ptr=(null) ctor=0 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0 data=", "'ptr' is not a hashed pointer"),
        ("found=0 found=0 ctor=0 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0", "'found' given twice"),
        ("found=0 ctor=0 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0 junk", "'junk' is not key=value"),
        ("found=0 =1 ctor=0", "'=1' is not key=value"),
    ])
    func refusesMalformedShadowResults(line: String, reason: String) {
        let error = #expect(throws: MalformedOutput.self) { try ShadowResult(ResultFields(parsing: line)) }
        #expect(error?.reason == reason)
        #expect(error?.source == "ctl result")
    }

    @Test func parsesContextAndNesting() throws {
        let result = try ShadowResult(ResultFields(parsing: "found=0 ctor=1 ctor_ok=1 ctor_atomic=1 ctx_ok=0 nested=1"))
        #expect(result == ShadowResult(found: false, ctorCalls: 1, contextOK: false, nested: 1))
        #expect(throws: MalformedOutput.self) {
            try ShadowResult(ResultFields(parsing: "found=0 ctor=1 ctor_ok=1 ctor_atomic=1"))
        }
    }

    @Test func refusesMoreDataThanShown() {
        let data = String(repeating: "ab", count: 65)
        #expect(throws: MalformedOutput.self) {
            try ShadowResult(ResultFields(parsing: "found=1 ptr=1f ctor=0 ctor_ok=1 ctor_atomic=1 ctx_ok=1 nested=0 data=\(data)"))
        }
    }

    @Test func parsesFreeResults() throws {
        #expect(try FreeResult(ResultFields(parsing: "dtor=3 dtor_ok=1 dtor_atomic=1 ctx_ok=1\n")) == FreeResult(dtorCalls: 3, dtorOK: true))
        #expect(try FreeResult(ResultFields(parsing: "dtor=1 dtor_ok=0 dtor_atomic=1 ctx_ok=1")) == FreeResult(dtorCalls: 1, dtorOK: false))
        #expect(try FreeResult(ResultFields(parsing: "dtor=2 dtor_ok=1 dtor_atomic=0 ctx_ok=0"))
            == FreeResult(dtorCalls: 2, dtorOK: true, dtorAtomic: false, contextOK: false))
        #expect(throws: MalformedOutput.self) { try FreeResult(ResultFields(parsing: "dtor=1")) }
        #expect(throws: MalformedOutput.self) { try FreeResult(ResultFields(parsing: "dtor=1 dtor_ok=1")) }
    }

    @Test func parsesSetResults() throws {
        #expect(try SetResult(ResultFields(parsing: "found=0")) == SetResult(found: false))
        #expect(try SetResult(ResultFields(parsing: "found=1 ptr=2a")) == SetResult(found: true, ptr: "2a"))
    }

    @Test func parsesRaceResults() throws {
        let result = try RaceResult(ResultFields(parsing:
            "ok=1 threads=2 iterations=200000 gets=133000 hits=90000 ctor=5000 dtor=5000 errors=0\n"))
        #expect(result == RaceResult(ok: true, threads: 2, iterations: 200_000, gets: 133_000, hits: 90_000,
                                     ctorCalls: 5000, dtorCalls: 5000, errors: 0))
    }

    @Test func parsesStressResults() throws {
        let result = try StressResult(ResultFields(parsing:
            "ok=1 seconds=60 threads=2 gets=600 hits=300 allocs=301 atomic_allocs=102 failed=3 atomic_failed=4 frees=303 "
                + "atomic_frees=104 free_alls=5 ctor=200 dtor_run=190 live=10 dtor=200 errors=0\n"))
        #expect(result == StressResult(ok: true, seconds: 60, threads: 2, gets: 600, hits: 300, allocs: 301,
                                       atomicAllocs: 102, failedAllocs: 3, failedAtomicAllocs: 4, frees: 303, atomicFrees: 104,
                                       freeAlls: 5, ctorCalls: 200, dtorCallsDuringRun: 190, live: 10,
                                       dtorCalls: 200, errors: 0))
        #expect(throws: MalformedOutput.self) {
            try StressResult(ResultFields(parsing: "ok=1 seconds=60 threads=2 gets=600"))
        }
    }

    @Test func parsesObjectResults() throws {
        #expect(try ObjectResult(ResultFields(parsing: "obj=a ptr=00000000deadbeef"))
            == ObjectResult(name: "a", ptr: "00000000deadbeef"))
        #expect(try ObjectResult(ResultFields(parsing: "obj=a")) == ObjectResult(name: "a"))
        #expect(try ObjectList(ResultFields(parsing: "count=3 names=a,b,c")).names == ["a", "b", "c"])
        #expect(try ObjectList(ResultFields(parsing: "count=0 names=\n")).names == [])
    }

    @Test func refusesAnObjectListWhoseCountDisagrees() {
        let error = #expect(throws: MalformedOutput.self) { try ObjectList(ResultFields(parsing: "count=2 names=a")) }
        #expect(error?.reason == "count=2 but 1 names")
    }

    @Test func keepsFieldsInLineOrder() throws {
        let fields = try ResultFields(parsing: "b=2 a=1 names=\n")
        #expect(fields.pairs.map(\.key) == ["b", "a", "names"])
        #expect(fields["names"] == "")
        #expect(fields["missing"] == nil)
        #expect(fields.line == "b=2 a=1 names=")
    }
}
