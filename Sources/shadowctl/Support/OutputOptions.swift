import ArgumentParser

/// `--json`, for every command that reports something.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the result as JSON.")
    var json = false
}
