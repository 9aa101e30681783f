/// A task that has not switched to the target patch state of a livepatch
/// transition yet: what keeps the transition from finishing.
public struct TaskInTransition: Sendable, Equatable, Hashable {
    /// Its process (thread group) id.
    public var pid: Int
    /// Its thread id; equal to ``pid`` for a process's main thread.
    public var tid: Int
    /// Its command name (`comm`).
    public var comm: String
    /// Its `patch_state`: 0 unpatched, 1 patched.
    public var patchState: Int
    /// Its kernel stack, one frame a line, innermost first; empty when not
    /// readable.
    public var stack: [String]

    /// Creates a task.
    public init(pid: Int, tid: Int, comm: String, patchState: Int, stack: [String] = []) {
        self.pid = pid
        self.tid = tid
        self.comm = comm
        self.patchState = patchState
        self.stack = stack
    }
}

/// A livepatch transition that did not finish in time. It goes on in the
/// kernel: this only reports who holds it up.
public struct TransitionTimeout: Error, Sendable, Equatable, CustomStringConvertible {
    /// Tasks listed in the ``description``, at most.
    public static let tasksShown = 8
    /// Stack frames listed per task, at most.
    public static let stackFramesShown = 6

    /// The livepatch.
    public var patch: String
    /// Whether the transition patches (enable) or unpatches (disable).
    public var patching: Bool
    /// How long it was waited for.
    public var waited: Duration
    /// The tasks not yet switched, by pid and tid.
    public var tasks: [TaskInTransition]
    /// The livepatch's sysfs directory, for the hint about `signal`.
    public var directory: String

    /// Creates the error.
    public init(patch: String, patching: Bool, waited: Duration, tasks: [TaskInTransition], directory: String) {
        self.patch = patch
        self.patching = patching
        self.waited = waited
        self.tasks = tasks
        self.directory = directory
    }

    public var description: String {
        let verb = patching ? "patching" : "unpatching"
        var lines = ["\(patch) did not finish \(verb) in \(waited.wholeSeconds); the transition goes on in the kernel."]
        if tasks.isEmpty {
            lines.append("No task in /proc is behind: the idle tasks of the CPUs, which /proc does not list, may be.")
        } else {
            let state = patching ? "patched" : "unpatched"
            lines.append("Tasks not \(state) yet (\(tasks.count)):")
            for task in tasks.prefix(Self.tasksShown) {
                let thread = task.tid == task.pid ? "" : " (thread \(task.tid))"
                lines.append("  pid \(task.pid)\(thread) \(task.comm)")
                if task.stack.isEmpty {
                    lines.append("      (kernel stack not readable)")
                }
                lines += task.stack.prefix(Self.stackFramesShown).map { "      " + $0 }
                if task.stack.count > Self.stackFramesShown { lines.append("      …") }
            }
            if tasks.count > Self.tasksShown {
                lines.append("  … and \(tasks.count - Self.tasksShown) more")
            }
            lines.append("Writing 1 to \(directory)/signal sends them a fake signal.")
        }
        return lines.joined(separator: "\n")
    }
}

/// A livepatch module whose last reference did not go in time: the
/// livepatch core drops its reference only after the patch is freed.
public struct ReleaseTimeout: Error, Sendable, Equatable, CustomStringConvertible {
    /// The module.
    public var module: String
    /// How long it was waited for.
    public var waited: Duration
    /// Its reference count at the end.
    public var refcount: Int

    /// Creates the error.
    public init(module: String, waited: Duration, refcount: Int) {
        self.module = module
        self.waited = waited
        self.refcount = refcount
    }

    public var description: String {
        "\(module) is still in use after \(waited.wholeSeconds) (refcount \(refcount)): "
            + "the livepatch core has not released it"
    }
}
