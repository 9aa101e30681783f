import ShadowKit

/// The outcome of `alloc`, `get-or-alloc` or `get`, for people and as JSON.
struct ShadowReport: Encodable {
    var command: String
    var object: ShadowObject
    var id: UInt64
    var size: UInt64?
    var constructor: Constructor?
    var result: ShadowResult

    enum CodingKeys: String, CodingKey {
        case command, obj, id, size, found, ptr, ctor, ctorOK, ctorAtomic, data
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(command, forKey: .command)
        try container.encode(object == .null ? nil : object.token, forKey: .obj)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(size, forKey: .size)
        try container.encode(result.found, forKey: .found)
        try container.encode(result.ptr, forKey: .ptr)
        try container.encode(result.ctorCalls, forKey: .ctor)
        try container.encode(result.ctorOK, forKey: .ctorOK)
        try container.encode(result.ctorAtomic, forKey: .ctorAtomic)
        try container.encode(Phrase.hex(result.data), forKey: .data)
    }

    /// One line for people.
    var summary: String {
        let key = Phrase.key(object, id)
        guard result.found, let ptr = result.ptr else {
            switch command {
            case "get":
                return "no shadow \(key)"
            default:
                let reason = result.ctorCalls > 0
                    ? "\(Phrase.ctor(result)) and failed" : "it exists already, or out of memory"
                return "not allocated \(key): \(reason)"
            }
        }
        guard let size else {
            let data = result.data.isEmpty ? "" : ", " + Phrase.data(result.data)
            return "found \(key) at \(ptr)\(data)"
        }
        let verb = switch (command, result.ctorCalls, constructor) {
        case ("alloc", _, _): "allocated"
        case (_, 1..., _): "created"
        case (_, _, Constructor.none?): "got"
        default: "found existing"
        }
        return "\(verb) \(key): \(size) bytes at \(ptr), \(Phrase.ctor(result)), \(Phrase.data(result.data, size: size))"
    }

    /// The exit status the outcome calls for.
    var status: ExitStatus {
        if !result.ctorOK { return .failure }
        return result.found ? .success : .notFound
    }
}

/// The outcome of `free` or `free-all`.
struct FreeReport: Encodable {
    var command: String
    var object: ShadowObject?
    var id: UInt64
    var destructor: Destructor
    var result: FreeResult

    enum CodingKeys: String, CodingKey {
        case command, obj, id, dtorMode, dtor, dtorOK
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(command, forKey: .command)
        if let object { try container.encode(object == .null ? nil : object.token, forKey: .obj) }
        try container.encode(id, forKey: .id)
        try container.encode(destructor.rawValue, forKey: .dtorMode)
        try container.encode(result.dtorCalls, forKey: .dtor)
        try container.encode(result.dtorOK, forKey: .dtorOK)
    }

    /// One line for people.
    var summary: String {
        let what = object.map { Phrase.key($0, id) } ?? "every shadow with id \(id)"
        switch (destructor, result.dtorCalls) {
        case (.none, _): return "freed \(what), if any (no dtor passed)"
        case (.count, 0): return "nothing to free for \(what) (dtor not called)"
        case (.count, _): return "freed \(what): \(Phrase.dtor(result))"
        }
    }

    /// The exit status the outcome calls for.
    var status: ExitStatus { result.dtorOK ? .success : .failure }
}
