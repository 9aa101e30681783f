import Foundation

/// Malformed inputs for each writable file of our modules, each refused by
/// construction: a valid input broken in one place the grammar forbids,
/// bytes that no valid input has, or more bytes than the file takes.
///
/// Where a file's parser sees a C string (sysfs parameters, and the
/// `ctl` files of klpsv_target and klpsv_bench), a NUL byte ends the
/// input early: those inputs never have a NUL after a valid prefix.
enum FuzzInputs {}

// MARK: - klpsv_test's ctl (docs/test-hooks.md)

extension FuzzInputs {
    /// What a token of a hook command is.
    enum Slot: Equatable {
        case verb, sub, name, object, id, size, byte
        /// The value of option `key`.
        case option(String)
    }

    struct Token {
        var text: [UInt8]
        var slot: Slot

        init(_ text: String, _ slot: Slot) {
            self.text = Array(text.utf8)
            self.slot = slot
        }
    }

    /// The grammar of one verb: its words, positional slots and options.
    struct HookVerb {
        var words: [String]
        var positional: [Slot]
        var options: [String] = []
        var required: [String] = []
    }

    static let hookVerbs = [
        HookVerb(words: ["obj", "new"], positional: [.name], options: ["size"]),
        HookVerb(words: ["obj", "del"], positional: [.name]),
        HookVerb(words: ["obj", "list"], positional: []),
        HookVerb(words: ["alloc"], positional: [.object, .id, .size], options: ["ctor", "gfp"]),
        HookVerb(words: ["get-or-alloc"], positional: [.object, .id, .size], options: ["ctor", "gfp"]),
        HookVerb(words: ["get"], positional: [.object, .id], options: ["len"]),
        HookVerb(words: ["set"], positional: [.object, .id, .byte], options: ["len"], required: ["len"]),
        HookVerb(words: ["free"], positional: [.object, .id], options: ["dtor"]),
        HookVerb(words: ["free-all"], positional: [.id], options: ["dtor"]),
        HookVerb(words: ["race"], positional: [.id], options: ["threads", "iterations", "objects"]),
        HookVerb(words: ["stress"], positional: [.id], options: ["seconds", "threads", "objects"],
                 required: ["seconds"]),
        HookVerb(words: ["hold"], positional: []),
        HookVerb(words: ["release"], positional: []),
    ]

    static let hookOptionKeys = ["size", "ctor", "gfp", "len", "dtor", "threads", "iterations", "objects",
                                 "seconds"]

    /// Words a made-up name or extra token must not be: they could start
    /// another valid command once a token is dropped.
    static let hookWords: Set<String> = Set(hookVerbs.flatMap(\.words) + ["null"])

    /// The longest line klpsv_test takes, its newline included.
    static let hookLineMax = 255

    /// A malformed line for klpsv_test's ctl: EINVAL, whatever state the
    /// hooks are in.
    static func hookCommand(_ source: inout InputSource) -> [UInt8] {
        let line = anyHookCommand(&source)
        // A write of nothing is no command at all: a blank line is one.
        return line.isEmpty ? [0x0a] : line
    }

    private static func anyHookCommand(_ source: inout InputSource) -> [UInt8] {
        switch source.int(0...99) {
        case 0..<45:
            var tokens = validHookTokens(&source)
            breakHookTokens(&tokens, &source)
            return hookLine(tokens, &source)
        case 45..<55:
            // A byte no token may hold, in a token of a valid command.
            var tokens = validHookTokens(&source)
            let index = source.int(0...tokens.count - 1)
            let at = source.int(0...tokens[index].text.count)
            tokens[index].text.insert(source.pick(FuzzAlphabet.controlOrHigh), at: at)
            return hookLine(tokens, &source)
        case 55..<62:
            // Separated by something else than spaces.
            var tokens = validHookTokens(&source)
            while tokens.count < 2 { tokens = validHookTokens(&source) }
            let separator: [UInt8] = source.pick([[0x09], [0x0b], [0x0c], [0x0d], [0x09, 0x20], [0xc2, 0xa0]])
            var line = tokens[0].text
            for token in tokens.dropFirst() { line += separator + token.text }
            return line + (source.oneIn(2) ? [0x0a] : [])
        case 62..<72:
            // A NUL, anywhere.
            var line = source.oneIn(2) ? hookLine(validHookTokens(&source), &source)
                : source.anyBytes(source.int(1...hookLineMax - 1))
            line.insert(0, at: source.int(0...line.count - (line.last == 0x0a ? 1 : 0)))
            return line
        case 72..<80:
            // A newline before the end: two lines, or one and a blank.
            var line = hookLine(validHookTokens(&source), &source, newline: false)
            switch source.int(0...2) {
            case 0: line += [0x0a, 0x0a]
            case 1: line.insert(0x0a, at: 0)
            default: line += [0x0a] + hookLine(validHookTokens(&source), &source, newline: false)
            }
            return Array(line.prefix(hookLineMax))
        case 80..<90:
            // Too long: a valid command padded past the limit, or noise.
            var line = hookLine(validHookTokens(&source), &source, newline: false)
            let length = source.int(hookLineMax...1024)
            let pad: UInt8 = source.pick([0x20, 0x20, UInt8(ascii: "x")])
            if pad == 0x20 || source.oneIn(2) {
                line += [UInt8](repeating: pad, count: max(0, length - line.count))
            } else {
                line = source.anyBytes(length)
            }
            return line + [0x0a]
        default:
            // More tokens than any command has: a valid one, then options
            // repeated (or extra words) up to 7 to 12 tokens.
            var tokens = validHookTokens(&source)
            let extra = source.int(max(1, 7 - tokens.count)...12)
            for _ in 0..<extra {
                tokens.append(source.oneIn(2) ? Token("len=1", .option("len")) : Token(extraWord(&source), .verb))
            }
            return hookLine(tokens, &source)
        }
    }

    /// `tokens` joined by one or more spaces, maybe with spaces around and
    /// a trailing newline: the spacing the protocol allows.
    static func hookLine(_ tokens: [Token], _ source: inout InputSource, newline: Bool? = nil) -> [UInt8] {
        func spaces() -> [UInt8] { [UInt8](repeating: 0x20, count: source.oneIn(8) ? source.int(2...4) : 1) }
        var line: [UInt8] = source.oneIn(8) ? spaces() : []
        for (index, token) in tokens.enumerated() {
            if index > 0 { line += spaces() }
            line += token.text
        }
        if source.oneIn(8) { line += spaces() }
        if newline ?? source.oneIn(2) { line.append(0x0a) }
        return line
    }

    /// A valid command, as its tokens.
    static func validHookTokens(_ source: inout InputSource) -> [Token] {
        let verb = source.pick(hookVerbs)
        var tokens = verb.words.enumerated().map { Token($1, $0 == 0 ? .verb : .sub) }
        for slot in verb.positional { tokens.append(Token(validValue(slot, verb: verb, &source), slot)) }
        for key in verb.options where verb.required.contains(key) || source.oneIn(2) {
            tokens.append(Token(key + "=" + validValue(.option(key), verb: verb, &source), .option(key)))
        }
        // Options come in any order after the positional tokens.
        let first = verb.words.count + verb.positional.count
        if tokens.count - first > 1 { tokens[first...].shuffle(using: &source.generator) }
        return tokens
    }

    /// Breaks one thing in a valid command's `tokens`.
    static func breakHookTokens(_ tokens: inout [Token], _ source: inout InputSource) {
        let verb = hookVerbs.first { $0.words == tokens.prefix { $0.slot == .verb || $0.slot == .sub }.map { String(decoding: $0.text, as: UTF8.self) } }!
        let positional = verb.words.count + verb.positional.count
        switch source.int(0...5) {
        case 0, 1:
            // One token made invalid for its slot.
            let index = source.int(0...tokens.count - 1)
            let token = tokens[index]
            if case .option(let key) = token.slot {
                tokens[index].text = Array((key + "=").utf8) + invalidValue(token.slot, verb: verb, &source)
            } else {
                tokens[index].text = invalidValue(token.slot, verb: verb, &source)
            }
        case 2:
            // A word too many, anywhere.
            tokens.insert(Token(extraWord(&source), .verb), at: source.int(0...tokens.count))
        case 3:
            // A word too few: a verb word or a positional token, or the
            // option `set` requires.
            let removable = Array(0..<positional) + tokens.indices.filter {
                if case .option(let key) = tokens[$0].slot { return verb.required.contains(key) }
                return false
            }
            tokens.remove(at: source.pick(removable))
        case 4:
            // An option this verb does not take: unknown, another verb's,
            // without '=', with an empty key.
            let key = source.pick(hookOptionKeys.filter { !verb.options.contains($0) } + ["colour", "Len", "ctor_"])
            let text = source.pick([key + "=1", key + "=none", key, source.pick(verb.options + ["len"]), "=1", "=none"])
            tokens.insert(Token(text, .option(key)), at: source.int(positional...tokens.count))
        default:
            // An option twice, or (for a verb without options) an unknown one.
            if verb.options.isEmpty {
                tokens.append(Token("gfp=kernel", .option("gfp")))
            } else {
                let key = source.pick(verb.options)
                tokens.append(Token(key + "=" + validValue(.option(key), verb: verb, &source), .option(key)))
                tokens.append(Token(key + "=" + validValue(.option(key), verb: verb, &source), .option(key)))
            }
        }
    }

    /// A word of 1 to 8 lowercase letters or digits that is no keyword.
    static func extraWord(_ source: inout InputSource) -> String {
        while true {
            let word = String(decoding: source.bytes(source.int(1...8), of: FuzzAlphabet.letters + Array("0123456789".utf8)),
                              as: UTF8.self)
            if !hookWords.contains(word) { return word }
        }
    }

    /// A valid `NAME`, not a keyword.
    static func validName(_ source: inout InputSource) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-".utf8)
        while true {
            let name = String(decoding: source.bytes(source.oneIn(4) ? source.int(1...31) : source.int(1...6), of: alphabet),
                              as: UTF8.self)
            if !hookWords.contains(name) { return name }
        }
    }

    /// `value` as the hooks write numbers: decimal, maybe with leading
    /// zeros, or `0x` and hex digits.
    static func hookNumber(_ value: UInt64, _ source: inout InputSource) -> String {
        switch source.int(0...3) {
        case 0: return "0x" + source.hex(value)
        case 1: return "00" + String(value)
        default: return String(value)
        }
    }

    /// A valid value of `slot`.
    static func validValue(_ slot: Slot, verb: HookVerb, _ source: inout InputSource) -> String {
        switch slot {
        case .verb, .sub: return verb.words[0]
        case .name: return validName(&source)
        case .object: return source.oneIn(3) ? "null" : validName(&source)
        case .id: return hookNumber(source.oneIn(2) ? source.uint64(0...64) : source.uint64(0...UInt64.max), &source)
        case .size: return hookNumber(source.uint64(0...1_048_576), &source)
        case .byte: return hookNumber(source.uint64(0...255), &source)
        case .option(let key):
            switch key {
            case "size": return hookNumber(source.uint64(1...4096), &source)
            case "ctor":
                return source.pick(["none", "fill:" + hookNumber(source.uint64(0...255), &source),
                                    "fail:" + hookNumber(source.uint64(1...4095), &source)])
            case "gfp": return source.pick(["kernel", "atomic", "irqoff"])
            case "len":
                return verb.words == ["get"] ? hookNumber(source.uint64(0...64), &source)
                    : hookNumber(source.uint64(1...1_048_576), &source)
            case "dtor": return source.pick(["count", "none"])
            case "threads": return hookNumber(source.uint64(1...8), &source)
            case "iterations": return hookNumber(source.uint64(1...10_000_000), &source)
            case "seconds": return hookNumber(source.uint64(1...120), &source)
            default: return hookNumber(source.uint64(1...4096), &source)
            }
        }
    }

    /// A value `slot` never takes (an option's value, without its key).
    static func invalidValue(_ slot: Slot, verb: HookVerb, _ source: inout InputSource) -> [UInt8] {
        switch slot {
        case .verb, .sub:
            let word = verb.words[slot == .verb ? 0 : 1]
            let candidates = [word.uppercased(), word + "s", String(word.dropLast()), "-" + word, word + "_",
                              extraWord(&source)]
            return Array(source.pick(candidates.filter { !$0.isEmpty && !hookWords.contains($0) }).utf8)
        case .name, .object:
            return invalidName(&source, allowNull: slot == .object)
        case .id: return invalidNumber(max: .max, &source)
        case .size: return invalidNumber(max: 1_048_576, &source)
        case .byte: return invalidNumber(max: 255, &source)
        case .option(let key):
            switch key {
            case "size": return invalidNumber(max: 4096, zero: true, &source)
            case "ctor":
                switch source.int(0...3) {
                case 0: return Array(source.pick(["zero", "NONE", "fill", "fail", "fill:", "fail:", "none:", "Fill:1"]).utf8)
                case 1: return Array("fill:".utf8) + invalidNumber(max: 255, &source)
                case 2: return Array("fail:".utf8) + invalidNumber(max: 4095, zero: true, &source)
                default: return Array(extraWord(&source).utf8)
                }
            case "gfp":
                return Array(source.pick(["KERNEL", "GFP_KERNEL", "atomic_", "irq", "irqsave", "nowait",
                                          extraWord(&source)]).utf8)
            case "len":
                return verb.words == ["get"] ? invalidNumber(max: 64, &source)
                    : invalidNumber(max: 1_048_576, zero: true, &source)
            case "dtor": return Array(source.pick(["maybe", "COUNT", "counted", "none_", extraWord(&source)]).utf8)
            case "threads": return invalidNumber(max: 8, zero: true, &source)
            case "iterations": return invalidNumber(max: 10_000_000, zero: true, &source)
            case "seconds": return invalidNumber(max: 120, zero: true, &source)
            default: return invalidNumber(max: 4096, zero: true, &source)
            }
        }
    }

    /// A `NAME` that breaks a rule: too long, a byte outside
    /// `[A-Za-z0-9_.-]` (NUL, control, punctuation or above ASCII), or
    /// `null` where a name must be one.
    static func invalidName(_ source: inout InputSource, allowNull: Bool) -> [UInt8] {
        switch source.int(0...5) {
        case 0:
            return Array(String(repeating: "n", count: source.int(32...64)).utf8)
        case 1 where !allowNull:
            return Array("null".utf8)
        default:
            var name = Array(validName(&source).utf8)
            let bad = source.pick(FuzzAlphabet.punctuation + FuzzAlphabet.controlOrHigh + [0, 0x2b, 0x3d, 0x3a])
            if source.oneIn(2) {
                name[source.int(0...name.count - 1)] = bad
            } else {
                name.insert(bad, at: source.int(0...name.count))
            }
            return name
        }
    }

    /// A token that is not a number of the hooks' syntax from 0 to `max`
    /// (or from 1, when `zero` is also refused). No space, no newline.
    static func invalidNumber(max: UInt64, zero: Bool = false, _ source: inout InputSource) -> [UInt8] {
        let valid = hookNumber(source.uint64(0...Swift.min(max, 1000)), &source)
        let text: String
        switch source.int(0...7) {
        case 0 where max < .max:
            let value = source.oneIn(2) ? max + source.uint64(1...1000) : source.uint64(max + 1 ... .max)
            text = hookNumber(value, &source)
        case 1:
            text = source.oneIn(2) ? source.digits(source.int(21...40))
                : "0x" + source.pick(Array("123456789abcdef")).description + source.hex(source.uint64(0 ... .max)).padding(toLength: 16, withPad: "0", startingAt: 0)
        case 2:
            text = source.pick(["-", "+", "--", "+-", "~"]) + valid
        case 3:
            text = source.pick(["0x", "0X1", "0X" + source.hex(source.uint64(0...max)), "0x0x1", "x1", "0xg", "0x-1",
                                "1.5", "1e3", "0b1", "0o7", "1_000", "1,000", "٣", "１"])
        case 4 where zero:
            text = source.pick(["0", "00", "0x0", "0x00"])
        default:
            var bytes = Array(valid.utf8)
            let junk = source.bytes(source.int(1...3), of: FuzzAlphabet.numberJunk)
            if source.oneIn(2) { bytes += junk } else { bytes.insert(contentsOf: junk, at: source.int(0...bytes.count)) }
            return bytes
        }
        return Array(text.utf8)
    }
}

// MARK: - klpsv_target's ctl (kmod/samples/target/debugfs.c)

extension FuzzInputs {
    /// The target's buffer: a write of this many bytes or more is refused.
    static let targetLineMax = 32

    /// A malformed command for klpsv_target's ctl: EINVAL.
    static func targetCommand(_ source: inout InputSource) -> [UInt8] {
        switch source.int(0...9) {
        case 0, 1:
            // Too long, anything.
            return source.anyBytes(source.int(targetLineMax...256))
        case 2, 3:
            // A first byte no verb starts with; then anything.
            let first = source.pick(FuzzAlphabet.all.filter { !"cfhnrt".utf8.contains($0) })
            return [first] + source.anyBytes(source.int(0...targetLineMax - 2))
        default:
            let verb = source.pick(["new", "free", "clear", "touch", "hold", "release"])
            var line: String
            if verb == "new" || verb == "free" {
                switch source.int(0...3) {
                case 0: line = verb + " " + String(source.pick([0, 1001, 1002, 4096, 65536, 4_294_967_296, UInt64.max]))
                case 1: line = verb + source.pick(["", " ", "  5", " 5 ", " 5 6", " -1", " 0x5", " 5x", " 1e3", "\t5", " ++5", " +"])
                case 2: line = source.pick([verb.uppercased(), verb + "s", String(verb.dropLast())]) + " 5"
                default: line = verb + " " + String(source.int(1...1000)) + source.pick(["x", " ", "\t", "\r", "-", ".", ",1"])
                }
            } else {
                switch source.int(0...2) {
                case 0: line = verb + source.pick([" ", " 1", " x", "\t", "\r", "  "])
                case 1: line = source.pick([verb.uppercased(), verb + "s", String(verb.dropLast()), "_" + verb])
                default: line = " " + verb
                }
            }
            return Array(line.utf8) + (source.oneIn(2) ? [0x0a] : [])
        }
    }
}

// MARK: - klpsv_bench's ctl (kmod/bench/parse.c)

extension FuzzInputs {
    /// The bench's buffer: a write of this many bytes or more is refused.
    static let benchLineMax = 160

    static let benchWorkloads = ["get_hit", "get_miss", "alloc_free", "free_all"]

    /// A malformed run command for klpsv_bench's ctl: EINVAL, nothing run.
    static func benchCommand(_ source: inout InputSource) -> [UInt8] {
        switch source.int(0...9) {
        case 0:
            return source.anyBytes(source.int(benchLineMax...512))
        case 1:
            let first = source.pick(FuzzAlphabet.all.filter { !"gaf".utf8.contains($0) })
            return [first] + source.anyBytes(source.int(0...benchLineMax - 2))
        default:
            var tokens = validBenchTokens(&source)
            breakBenchTokens(&tokens, &source)
            return Array(tokens.joined(separator: " ").utf8) + (source.oneIn(2) ? [0x0a] : [])
        }
    }

    /// A valid run command, as its tokens: workload, store, then options
    /// in any order, `live` among them.
    static func validBenchTokens(_ source: inout InputSource) -> [String] {
        let workload = source.pick(benchWorkloads)
        let threaded = workload == "get_hit" || workload == "alloc_free"
        var options = ["live=\(source.int(1...1000))"]
        if source.oneIn(2) { options.append("ops=\(source.int(1...100))") }
        if source.oneIn(2) { options.append("reps=\(source.int(1...31))") }
        if source.oneIn(2) { options.append("seed=\(source.uint64(0 ... .max))") }
        if threaded && source.oneIn(3) { options.append("threads=1") }
        if threaded && source.oneIn(3) { options.append("ms=\(source.int(0...100))") }
        options.shuffle(using: &source.generator)
        return [workload, source.pick(["klpsv", "kernel"])] + options
    }

    /// Breaks one thing in a valid run command's `tokens`.
    static func breakBenchTokens(_ tokens: inout [String], _ source: inout InputSource) {
        let threaded = tokens[0] == "get_hit" || tokens[0] == "alloc_free"
        switch source.int(0...7) {
        case 0:
            tokens[0] = source.pick([tokens[0].uppercased(), tokens[0] + "s", tokens[0].replacingOccurrences(of: "_", with: "-"),
                                     "get", "alloc", "bench", String(tokens[0].dropLast())])
        case 1:
            tokens[1] = source.pick(["KLPSV", "klp", "store", "kernels", "klpsv_", "both", ""])
        case 2:
            // An option out of range, or a number the parser refuses.
            let index = source.int(2...tokens.count - 1)
            let key = String(tokens[index].prefix { $0 != "=" })
            let bad: [String: [String]] = [
                "live": ["0", "4194305", "99999999"], "ops": ["0", "10000001"], "reps": ["0", "32", "100"],
                "seed": ["18446744073709551616", "99999999999999999999999"], "threads": ["0", "9", "64"],
                "ms": ["10001", "4294967296"],
            ]
            let malformed = ["+5", "-1", "", "5x", "0x5", " 5", "5.0", "1e3", "٣"]
            tokens[index] = key + "=" + source.pick(bad[key, default: ["0"]] + malformed)
        case 3:
            tokens.removeAll { $0.hasPrefix("live=") }
        case 4:
            // An option twice, an unknown one, one without '=', or an empty token.
            let twice = source.pick(tokens.dropFirst(2).map { $0 })
            tokens.insert(source.pick([twice, "colour=red", "live", "LIVE=1", "=1", "", "threads"]),
                          at: source.int(2...tokens.count))
        case 5:
            // threads or ms where the workload takes neither.
            if threaded {
                tokens[0] = source.pick(["get_miss", "free_all"])
                tokens.removeAll { $0.hasPrefix("threads=") || $0.hasPrefix("ms=") }
            }
            tokens.append(source.pick(["threads=2", "ms=1", "ms=\(source.int(1...10000))"]))
        case 6:
            // A control byte inside a token (never a newline: a number may end in one).
            let index = source.int(0...tokens.count - 1)
            var bytes = Array(tokens[index].utf8)
            bytes.insert(source.pick(FuzzAlphabet.controlOrHigh), at: source.int(0...bytes.count))
            tokens[index] = String(decoding: bytes, as: UTF8.self)
        default:
            // Workload and store swapped, or the store missing.
            if source.oneIn(2) { tokens.swapAt(0, 1) } else { tokens.remove(at: 1) }
        }
    }
}

// MARK: - Module parameters (sysfs)

extension FuzzInputs {
    /// sysfs hands a parameter at most a page of what was written.
    static let pageSize = 4096

    /// A malformed value for an unsigned parameter parsed by `kstrtouint(val, 0, ...)`
    /// that refuses every value outside `valid`: EINVAL or ERANGE.
    static func unsignedParameter(valid: (UInt64) -> Bool, _ source: inout InputSource) -> [UInt8] {
        switch source.int(0...9) {
        case 0, 1, 2:
            // A number out of range, in any syntax kstrtouint takes.
            var value: UInt64
            repeat {
                value = source.pick([source.uint64(0...20), source.uint64(0...100_000),
                                     source.uint64(0...UInt64(UInt32.max)), source.uint64(0 ... .max)])
            } while valid(value)
            return Array(kstrtouintSyntax(value, &source).utf8)
        case 3:
            // Too many digits for 64 bits, or past a page.
            let digits = source.oneIn(4) ? source.int(pageSize + 1...2 * pageSize) : source.int(21...200)
            return Array(source.digits(digits).utf8) + (source.oneIn(2) ? [0x0a] : [])
        case 4, 5:
            // A number, then a byte that ends no number: junk.
            var value = source.uint64(0...100_000)
            if source.oneIn(2) { while !valid(value) { value = source.uint64(0...1000) } }
            let junk = [source.pick(FuzzAlphabet.numberJunk + [0x20])]
                + source.anyBytes(source.int(0...8)).map { $0 == 0 ? 0x20 : $0 }
            return Array(kstrtouintSyntax(value, &source, newline: false).utf8) + junk
        case 6, 7:
            // A first byte no number starts with (kstrtouint skips no space).
            let first = source.pick(FuzzAlphabet.all.filter { !(0x30...0x39).contains($0) && $0 != 0x2b })
            return [first] + source.anyBytes(source.oneIn(10) ? source.int(pageSize...2 * pageSize) : source.int(0...16))
        case 8:
            return Array(source.pick(["+", "+\n", "0x", "0x\n", "0X", "++1", "+-1", "-0", "- 1", "0x+1", "0b1", "1e3",
                                      "1 2", "1\n\n", "1\t", "08", "0x1g", "\n", " "]).utf8)
        default:
            // Valid once, followed by another line.
            var value = source.uint64(0...1000)
            while !valid(value) { value = source.uint64(0...1000) }
            return Array((String(value) + "\n" + String(value)).utf8)
        }
    }

    /// `value` written as kstrtouint(…, 0, …) reads it: decimal, `+`,
    /// `0x`/`0X` hex or `0` octal, maybe with one newline.
    static func kstrtouintSyntax(_ value: UInt64, _ source: inout InputSource, newline: Bool? = nil) -> String {
        var text: String
        switch source.int(0...4) {
        case 0: text = source.pick(["0x", "0X"]) + source.hex(value)
        case 1: text = "0" + String(value, radix: 8)
        case 2: text = "+" + String(value)
        default: text = String(value)
        }
        if newline ?? source.oneIn(2) { text += "\n" }
        return text
    }

    /// A value kstrtobool() refuses: EINVAL.
    static func boolParameter(_ source: inout InputSource) -> [UInt8] {
        boolLike(&source) { KernelParsers.bool($0) == nil }
    }

    /// A value refused by a parameter that takes kstrtobool()'s true
    /// only: anything else, its false included.
    static func trueOnlyParameter(_ source: inout InputSource) -> [UInt8] {
        boolLike(&source) { KernelParsers.bool($0) != true }
    }

    /// Inputs for a parameter that refuses everything: kstrtobool()'s true
    /// and false too.
    static func anyParameter(_ source: inout InputSource) -> [UInt8] {
        boolLike(&source) { _ in true }
    }

    /// Bool-looking and random inputs, each kept only when `refused`.
    static func boolLike(_ source: inout InputSource, refused: ([UInt8]) -> Bool) -> [UInt8] {
        while true {
            var input: [UInt8]
            switch source.int(0...5) {
            case 0:
                input = Array(source.pick(["1", "0", "y", "Y", "n", "N", "yes", "no", "on", "off", "On", "OFF", "true",
                                           "false", "t", "f", "enable", "disable", "e", "d", "2", "-1", "+1", " y",
                                           "\ty", "ok", "o", "O", "ox", "o\n", "oui", "ja", "si", "nein", "\n", "Yes\n",
                                           "1\n", "0\n", "null", "\u{00}1", "x1", "\u{7f}y", "é", "ö"]).utf8)
            case 1:
                // An 'o' that is not on or off.
                input = [source.pick(Array("oO".utf8)), source.pick(FuzzAlphabet.all)] + source.anyBytes(source.int(0...8))
            case 2:
                // Past a page: sysfs passes the first 4096 bytes.
                input = source.anyBytes(source.int(pageSize...2 * pageSize))
            default:
                input = source.anyBytes(source.int(1...32))
            }
            if refused(input) { return input }
        }
    }
}
