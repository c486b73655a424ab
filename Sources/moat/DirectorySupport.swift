import ArgumentParser
import Directory
import MoatCore
#if canImport(Glibc)
import Glibc
#endif

/// What `moat domain|user|alias` share: opening the directory from `-c`, reporting
/// `DirectoryError`s, reading passwords and printing sizes.
enum DirectoryCLI {
    /// Runs `body` on the directory named by the configuration's `[storage]`. A bad
    /// configuration exits 3 (as `moat scan`); a refused or failed operation prints
    /// `moat: <reason>` on stderr and exits 1.
    static func run(_ options: ConfigOption, _ body: (DirectoryStore) throws -> Void) throws {
        let config = try loadConfig(options.config, failureStatus: 3)
        do {
            try body(try DirectoryStore(path: config.storage.directoryDatabase))
        } catch let error as DirectoryError {
            printError("moat: \(error)")
            throw ExitCode(1)
        }
    }

    /// Tab-separated columns, one record per line, for `cut`/`awk`.
    static func row(_ columns: String...) {
        say("\(columns: columns)")
    }

    /// `2G`, `512M`, `100K` when exact, else bytes; 0 is `unlimited`. `--quota` reads these back.
    static func size(_ bytes: Int64) -> String {
        if bytes == 0 { return "unlimited" }
        for (unit, shift) in [("G", 30), ("M", 20), ("K", 10)] where bytes % (Int64(1) << shift) == 0 {
            return "\(bytes >> shift)\(unit)"
        }
        return String(bytes)
    }

    /// Parses `--quota`: MoatCore's byte sizes (`500M`, `2G`, plain bytes, 0 unlimited).
    static func quota(_ text: String) throws -> Int64 {
        guard let bytes = ByteSizeText.parse(text) else {
            printError("moat: \(DirectoryError.invalidQuota(text))")
            throw ExitCode(1)
        }
        return Int64(bytes)
    }
}

/// The `--password-stdin` flag and the terminal prompt used without it.
struct PasswordOption: ParsableArguments {
    @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input.")
    var fromStdin = false

    /// The password bytes: stdin's first line with `--password-stdin`; otherwise typed
    /// twice at the terminal with echo off. Without either it exits 1 rather than hang.
    func read(confirm: Bool = true) throws -> [UInt8] {
        let password: [UInt8]
        if fromStdin {
            password = Self.firstLine(of: 0)
        } else {
            guard isatty(0) == 1 else {
                printError("moat: standard input is not a terminal; pass the password with --password-stdin")
                throw ExitCode(1)
            }
            password = try Self.prompt("Password: ")
            if confirm, try Self.prompt("Retype password: ") != password {
                printError("moat: the passwords do not match")
                throw ExitCode(1)
            }
        }
        if password.isEmpty {
            printError("moat: \(DirectoryError.invalidPassword(reason: "empty"))")
            throw ExitCode(1)
        }
        return password
    }

    /// One line from `fd`, without its CR LF or LF; bytes, as a password may be any encoding.
    private static func firstLine(of fd: Int32) -> [UInt8] {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(fd, &byte, 1) == 1, byte != 0x0A { line.append(byte) }
        if line.last == 0x0D { line.removeLast() }
        return line
    }

    /// Prompts on stderr and reads a line from the terminal with echo turned off,
    /// restoring the terminal even when reading fails. Echo goes off (discarding type-ahead,
    /// as passwd(1) does) before the prompt is shown, so an answer typed right after the
    /// prompt is never thrown away; restoring discards nothing.
    private static func prompt(_ text: String) throws -> [UInt8] {
        var saved = termios()
        guard tcgetattr(0, &saved) == 0 else {
            printError("moat: cannot read the terminal settings (errno \(errno))")
            throw ExitCode(1)
        }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSAFLUSH, &silent)
        defer {
            tcsetattr(0, TCSANOW, &saved)
            TerminalOutput.write([0x0A], fd: 2)
        }
        TerminalOutput.write(Array(text.utf8), fd: 2)
        return firstLine(of: 0)
    }
}
