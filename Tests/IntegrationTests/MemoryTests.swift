import Foundation
import ShadowKit
import Testing

extension InVM {
    /// Where shadows live: klpsv's own slab caches, one per 8 bytes of size
    /// up to 128 bytes with the 16-byte header, kmalloc beyond.
    @Suite("shadow memory")
    struct MemoryTests {
        @Test("every data size gets all its bytes: shadows side by side in one cache never overlap", .inKlpsvVM)
        func everySizeIsWhole() throws {
            try Fixture.run { session in
                let sizes: [UInt64] = Array(0...100) + [128, 200]
                for size in sizes {
                    _ = try session.hooks.newObject("s\(size)")
                    let shadow = try session.hooks.alloc(.named("s\(size)"), id: 5, size: size)
                    #expect(shadow.found && shadow.data == bytes(0, Int(min(size, 64))), "size \(size): zeroed")
                }
                for size in sizes where size > 0 {
                    #expect(try session.hooks.set(.named("s\(size)"), id: 5, byte: UInt8(size), length: size).found)
                }
                // A shadow that overran its object would have written over the
                // start of the next one: the first 64 bytes are read back.
                for size in sizes where size > 0 {
                    let shown = min(size, 64)
                    let data = try session.hooks.get(.named("s\(size)"), id: 5, length: shown).data
                    #expect(data == bytes(UInt8(size), Int(shown)), "size \(size): no neighbour wrote into it")
                }
                _ = try session.hooks.freeAll(id: 5)
            }
        }

        @Test("a shadow of up to 112 data bytes comes from the klpsv cache of its size", .inKlpsvVM)
        func smallShadowsUseTheirCache() throws {
            try Fixture.run { session in
                // 8 data bytes: 24 with the header, the smallest cache; 40: 56;
                // 112: 128, the largest.
                for (dataSize, cache) in [(UInt64(8), "klpsv_shadow_24"), (40, "klpsv_shadow_56"),
                                          (112, "klpsv_shadow_128")] {
                    let before = try Self.objectsInUse(cache)
                    for index in 0..<200 {
                        _ = try session.hooks.newObject("c\(dataSize)-\(index)")
                        #expect(try session.hooks.alloc(.named("c\(dataSize)-\(index)"), id: 6, size: dataSize).found)
                    }
                    #expect(try Self.objectsInUse(cache) >= before + 200, "\(cache) holds the 200 new shadows")
                    _ = try session.hooks.freeAll(id: 6)
                }
            }
        }

        /// `active_objs` of `cache` in /proc/slabinfo.
        static func objectsInUse(_ cache: String) throws -> Int {
            let text = try String(contentsOfFile: "/proc/slabinfo", encoding: .utf8)
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                if fields.count > 2, fields[0] == cache, let active = Int(fields[1]) { return active }
            }
            Issue.record("no \(cache) in /proc/slabinfo")
            return 0
        }
    }
}
