import Testing

/// The whole help texts: a change to them is a change to the documentation.
@Suite("shadowctl help")
struct HelpTests {
    @Test func rootHelp() throws {
        let outcome = try ShadowctlRunner.run(["--help"])
        #expect(outcome.status == 0)
        #expect(outcome.standardError == "")
        #expect(outcome.standardOutput == Self.rootHelp)
    }

    @Test func helpSubcommandPrintsTheSameText() throws {
        #expect(try ShadowctlRunner.run(["help"]).standardOutput == Self.rootHelp)
    }

    @Test func allocHelp() throws {
        let outcome = try ShadowctlRunner.run(["alloc", "--help"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == Self.allocHelp)
    }

    @Test func patchDisableHelp() throws {
        let outcome = try ShadowctlRunner.run(["patch", "disable", "--help"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == Self.patchDisableHelp)
    }

    static let rootHelp = """
        OVERVIEW: Load klpsv and drive its livepatch shadow variable store.

        klpsv.ko keeps livepatch shadow variables and shows them in debugfs;
        klpsv_test.ko lets user space call its API. Everything but --help needs root.

        Shadow commands name a parent object (OBJ) made with 'obj new', or null for the
        NULL object (a global shadow). IDs are unsigned, decimal or 0x hex.

        EXIT STATUS
          0  success
          1  failure: the kernel refused, a check or a transition failed, I/O failed
          2  usage error: bad arguments
          3  permission denied: not root, or lockdown
          4  unavailable: klpsv's modules not loaded, no debugfs, no livepatch
          5  not found: no such shadow, object, livepatch, module or module file,
             or the API returned NULL
        With --json, a failure prints {"error": MESSAGE, "exitStatus": STATUS}.

        ENVIRONMENT
          KLPSV_KMOD_DIR  where 'load' finds klpsv.ko and klpsv_test.ko
                          (default: kmod/ of the repository shadowctl is in)
          KLPSV_DEBUGFS   a debugfs root to use instead of /sys/kernel/debug,
                          for tests and unusual mounts (mount not checked)
          KLPSV_LIVEPATCH_SYSFS
                          a directory to use instead of /sys/kernel/livepatch, for tests

        USAGE: shadowctl <subcommand>

        OPTIONS:
          --version               Show the version.
          -h, --help              Show help information.

        MODULES SUBCOMMANDS:
          load                    Load klpsv.ko, and klpsv_test.ko with --hooks.
          unload                  Unload klpsv_test.ko, then klpsv.ko.
          status                  Show whether the modules are loaded, debugfs, and
                                  shadow totals.

        INTROSPECTION SUBCOMMANDS:
          stats                   Show klpsv's counters per shadow id.
          list                    List the live shadow variables.
          states                  Show the system states of the registered livepatches.
          patches                 Show the livepatches registered with
                                  klpsv_enable_patch(), or with --all every livepatch.

        LIVEPATCHES SUBCOMMANDS:
          patch                   Load, disable, enable or unload a livepatch module,
                                  and show what its transition did.

        SHADOW VARIABLES (KLPSV_TEST) SUBCOMMANDS:
          obj                     Create, delete and list klpsv_test's parent objects.
          alloc                   Allocate a shadow variable (klpsv_shadow_alloc).
          get                     Look a shadow variable up (klpsv_shadow_get).
          get-or-alloc            Get a shadow variable, allocating it when missing
                                  (klpsv_shadow_get_or_alloc).
          free                    Free a shadow variable (klpsv_shadow_free).
          free-all                Free every shadow variable with one id
                                  (klpsv_shadow_free_all).
          race                    Race get, get-or-alloc and free on one id in kernel
                                  threads.

        BENCHMARK SUBCOMMANDS:
          bench                   Benchmark klpsv against the kernel's klp_shadow_*,
                                  and check the targets.

          See 'shadowctl help <subcommand>' for detailed help.

        """

    static let allocHelp = """
        OVERVIEW: Allocate a shadow variable (klpsv_shadow_alloc).

        Exits 5 when the API returns NULL: the shadow exists already, or the ctor
        failed.

        USAGE: shadowctl alloc <obj> <id> <size> [--ctor <mode>] [--gfp <mode>] [--json]

        ARGUMENTS:
          <obj>                   The parent object: a name from 'obj new', or null for
                                  the NULL object.
          <id>                    The shadow id, decimal or 0x hex.
          <size>                  The data size in bytes, 0 to 1048576.

        OPTIONS:
          --ctor <mode>           The constructor: none, fill:BYTE (fills the data),
                                  fail:ERRNO (returns -ERRNO), or nest:ID (tries to
                                  allocate a shadow of ID, which klpsv refuses).
                                  (default: none)
          --gfp <mode>            Allocate with GFP_KERNEL (kernel), or with GFP_ATOMIC
                                  under a spinlock (atomic), with interrupts off
                                  (irqoff) or in hard-IRQ context (hardirq). (values:
                                  kernel, atomic, irqoff, hardirq; default: kernel)
          --json                  Print the result as JSON.
          --version               Show the version.
          -h, --help              Show help information.


        """

    static let patchDisableHelp = """
        OVERVIEW: Disable a livepatch and wait for the transition.

        A patch that is the last to support an in-force block_disable state is not
        disabled: replace it with a patch that keeps the state. With --force it is
        disabled anyway; klpsv then keeps the state in force, without running its
        unpatch callbacks, and the patch as an orphan, until a patch that declares the
        state is enabled.

        USAGE: shadowctl patch disable [--force] [--timeout <seconds>] [--revert-on-timeout] [--json] <patch>

        ARGUMENTS:
          <patch>                 The livepatch, as named in /sys/kernel/livepatch.

        OPTIONS:
          --force                 Disable a patch even when block_disable states forbid
                                  it.
          --timeout <seconds>     How long to wait for the transition, 1-3600.
                                  (default: 60)
          --revert-on-timeout     When the transition times out, reverse it and wait as
                                  long again for the reversal.
          --json                  Print the result as JSON.
          --version               Show the version.
          -h, --help              Show help information.


        """
}
