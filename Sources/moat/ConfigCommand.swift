import ArgumentParser
import MoatCore

/// `moat config check -c FILE`: reports every problem with file:line.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect the configuration.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a configuration file.")
        @OptionGroup var options: ConfigOption

        func run() throws {
            _ = try loadConfig(options.config)
            print("\(options.config): OK")
        }
    }
}

/// Loads the configuration or exits with every issue on stderr (status 1, or the
/// command's own error status, as `scan`'s 3).
func loadConfig(_ path: String, failureStatus: Int32 = 1) throws -> MoatConfig {
    do {
        return try MoatConfig.load(path: path)
    } catch {
        printError(error.description)
        throw ExitCode(failureStatus)
    }
}

func printError(_ text: String) {
    var stderr = StandardError()
    print(text, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.write(string, fd: 2)
    }
}

enum FileHandleWriter {
    static func write(_ string: String, fd: Int32) {
        var bytes = Array(string.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
