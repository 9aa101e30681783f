/// The result of `obj new` (`obj=NAME ptr=HASH`) and `obj del` (`obj=NAME`).
public struct ObjectResult: Sendable, Equatable {
    /// The object's name.
    public var name: String
    /// Its pointer as the kernel's `%p` hash: the `obj` column of klpsv's
    /// `shadows` file. `nil` after `obj del`.
    public var ptr: String?

    /// Creates a result.
    public init(name: String, ptr: String? = nil) {
        self.name = name
        self.ptr = ptr
    }

    /// Reads an object result line.
    public init(_ fields: ResultFields) throws(MalformedOutput) {
        self.init(name: try fields.string("obj"),
                  ptr: fields["ptr"] == nil ? nil : try fields.pointer("ptr"))
    }
}

/// The result of `obj list`: `count=N names=a,b,c`.
public struct ObjectList: Sendable, Equatable {
    /// The object names, in creation order.
    public var names: [String]

    /// Creates a list.
    public init(names: [String]) {
        self.names = names
    }

    /// Reads an object list line; `count` must match the names.
    public init(_ fields: ResultFields) throws(MalformedOutput) {
        let count = try fields.number("count")
        let names = try fields.string("names").split(separator: ",").map(String.init)
        guard names.count == count else { throw fields.failure("count=\(count) but \(names.count) names") }
        self.init(names: names)
    }
}
