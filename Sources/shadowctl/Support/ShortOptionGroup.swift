import ArgumentParser

/// A single-dash word that ArgumentParser would read as a group of short
/// flags with `h` among them, such as `-hooks` for `--hooks`.
///
/// ArgumentParser splits `-hooks` into `-h -o -o -k -s` and, finding the
/// help flag, prints help and exits 0 before it looks at the other letters:
/// a script that mistyped `--hooks` would go on as if the command had run.
/// shadowctl has no short option but `-h`, so such a word is an unknown
/// option, as `-xy` is.
struct ShortOptionGroup {
    /// The offending word.
    var word: String
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
            if argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2,
               argument.dropFirst().contains("h") {
                (word, self.root, self.command, self.path) = (argument, root, command, path)
                return
            }
        }
        return nil
    }

    /// What shadowctl says, as for any unknown option: the word, the usage
    /// of its command, where to read more.
    var message: String {
        """
        Unknown option '\(word)'
        Usage: \(root.usageString(for: command))
          See '\(path.joined(separator: " ")) --help' for more information.
        """
    }
}
