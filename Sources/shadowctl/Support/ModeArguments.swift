import ArgumentParser
import ShadowKit

// The modes of the shadow commands as typed arguments: ArgumentParser
// parses them, lists them in the help and completes them in the shell.

extension GFP: ExpressibleByArgument {}

extension Destructor: ExpressibleByArgument {}

extension Constructor: ExpressibleByArgument {
    /// `none`, `fill:BYTE`, `fail:ERRNO` or `nest:ID`, as ``Constructor/init(parsing:)`` reads them.
    public init?(argument: String) {
        guard let value = try? Constructor(parsing: argument) else { return nil }
        self = value
    }

    public var defaultValueDescription: String { description }

    public static var defaultCompletionKind: CompletionKind {
        .list(["none", "fill:", "fail:", "nest:"])
    }
}
