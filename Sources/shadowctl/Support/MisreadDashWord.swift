import ArgumentParser

/// A single-dash word that ArgumentParser would misread: a group of short
/// flags with `h` among them, such as `-hooks` for `--hooks`, or a negative
/// number, such as the `-1` of `alloc a -1 64`.
///
/// ArgumentParser splits `-hooks` into `-h -o -o -k -s` and, finding the
/// help flag, prints help and exits 0 before it looks at the other letters:
/// a script that mistyped `--hooks` would go on as if the command had run.
/// It reads `-1` as an unknown option and then misses a positional
/// argument, and says "Missing expected argument '<size>'" of an argument
/// that was given. shadowctl has no short option but `-h`, and every number
/// it takes is unsigned, so such a word is reported for what it is.
struct MisreadDashWord {
    /// What the word looks like.
    enum Kind {
        /// `-1`, `-0x10`.
        case negativeNumber
        /// `-hooks`, `-xh`.
        case shortOptionGroup
    }

    /// The offending word.
    var word: String
    /// What it looks like.
    var kind: Kind
    /// The root command.
    var root: any ParsableCommand.Type
    /// The (sub)command it was given to.
    var command: any ParsableCommand.Type
    /// The words naming that command, for the usage line.
    var path: [String]

    /// The first such word of `arguments` (before a `--`), with the command
    /// it belongs to, or nil.
    init?(in arguments: [String], root: any ParsableCommand.Type) {
        var command = root, path = [root._commandName]
        for argument in arguments {
            if argument == "--" { return nil }
            if !argument.hasPrefix("-"),
               let sub = command.configuration.subcommands.first(where: { $0._commandName == argument }) {
                command = sub
                path.append(argument)
                continue
            }
            guard argument.hasPrefix("-"), !argument.hasPrefix("--") else { continue }
            let kind: Kind
            if argument.dropFirst().first?.isASCII == true, argument.dropFirst().first?.isNumber == true {
                kind = .negativeNumber
            } else if argument.count > 2, argument.dropFirst().contains("h") {
                kind = .shortOptionGroup
            } else {
                continue
            }
            (word, self.kind, self.root, self.command, self.path) = (argument, kind, root, command, path)
            return
        }
        return nil
    }

    /// What shadowctl says: the word, the usage of its command, where to
    /// read more.
    var message: String {
        let what = switch kind {
        case .negativeNumber: "Invalid number '\(word)': ids, sizes and counts are unsigned"
        case .shortOptionGroup: "Unknown option '\(word)'"
        }
        return """
            \(what)
            Usage: \(root.usageString(for: command))
              See '\(path.joined(separator: " ")) --help' for more information.
            """
    }
}
