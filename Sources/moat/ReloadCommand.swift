import ArgumentParser
import MoatCore
#if canImport(Glibc)
import Glibc
#endif

/// `moat reload`: asks the running `moat serve` of this configuration to reload (SIGHUP),
/// as `postfix reload` and `doveadm reload` do. The file is parsed first, so a typo is
/// reported here at its line rather than only in the server's log; what the server then
/// makes of the new configuration (rules, signatures, TLS) is in its log.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make the running moat serve re-read its configuration, rules, signatures and certificates.",
        discussion: "Exit status: 0 signalled, 1 the configuration does not parse or moat serve is not running.")
    @OptionGroup var options: ConfigOption

    func run() throws {
        let config = try loadConfig(options.config)
        let pidFile = PidFile(path: config.storage.pidFile)
        switch pidFile.read() {
        case .notRunning(let reason):
            printError("moat: \(reason)")
            throw ExitCode(1)
        case .running(let pid):
            guard kill(pid, SIGHUP) == 0 else {
                printError("moat: cannot signal moat serve (pid \(pid)): \(String(cString: strerror(errno))); run as root or as the service user")
                throw ExitCode(1)
            }
            say("moat serve (pid \(pid)) reloading \(options.config); the result is in its log")
        }
    }
}
