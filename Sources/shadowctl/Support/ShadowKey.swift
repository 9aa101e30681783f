import ArgumentParser
import ShadowKit

/// `OBJ ID`: which shadow variable a command is about.
struct ShadowKey: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "The parent object: a name from 'obj new', or null for the NULL object.",
        valueName: "obj"))
    var objectText: String

    @Argument(help: ArgumentHelp("The shadow id, decimal or 0x hex.", valueName: "id"))
    var idText: String

    func validate() throws {
        _ = try object
        _ = try id
    }

    var object: ShadowObject { get throws { try Checked.object(objectText) } }
    var id: UInt64 { get throws { try Checked.id(idText) } }
}

/// `SIZE [--ctor MODE] [--gfp MODE]`: how to allocate a shadow variable.
struct AllocationOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The data size in bytes, 0 to 1048576.", valueName: "size"))
    var sizeText: String

    @Option(help: ArgumentHelp(
        "The constructor: none, fill:BYTE (fills the data), fail:ERRNO (returns -ERRNO), or nest:ID (tries to allocate a shadow of ID, which klpsv refuses).",
        valueName: "mode"))
    var ctor = Constructor.none

    @Option(help: ArgumentHelp(
        "Allocate with GFP_KERNEL (kernel), or with GFP_ATOMIC under a spinlock (atomic), with interrupts off (irqoff) or in hard-IRQ context (hardirq).",
        valueName: "mode"))
    var gfp = GFP.kernel

    func validate() throws {
        _ = try size
    }

    var size: UInt64 { get throws { try Checked.size(sizeText) } }
}

/// `--dtor MODE`: how to free.
struct DestructorOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The destructor: count (counts its calls and checks them) or none.", valueName: "mode"))
    var dtor = Destructor.count
}
