import ArgumentParser
@preconcurrency import Dispatch
import Logging
import MoatCore
#if canImport(Glibc)
import Glibc
#endif

/// Where every subcommand's log lines go: standard error unless `serve` applies `[log]`,
/// each line made printable (`PrintableLogHandler`) whatever the destination, so outside
/// text cannot forge records or reach a terminal raw.
enum LogOutput {
    /// The level of handlers made from now on: `serve` sets the configured one before it
    /// makes its loggers.
    static let level = Locked<Logger.Level>(.info)
    /// Where handlers made from now on write.
    private enum Target: Sendable {
        case standardError
        case syslog(SyslogSocket)
        case file(LogFile)
    }
    private static let target = Locked<Target>(.standardError)
    /// SIGUSR1's handler while the destination is a file.
    private static let reopenSignal = Locked<(any DispatchSourceSignal)?>(nil)

    /// Installs the handler factory; once per process, before any logger is made.
    static func bootstrap() {
        LoggingSystem.bootstrap { label in
            var handler: PrintableLogHandler
            switch target.withLock({ $0 }) {
            case .standardError:
                handler = PrintableLogHandler(StreamLogHandler.standardError(label: label))
            case .syslog(let socket):
                handler = PrintableLogHandler(SinkLogHandler(label: label, sink: socket))
            case .file(let file):
                handler = PrintableLogHandler(StreamLogHandler(label: label, stream: file, metadataProvider: nil))
            }
            handler.logLevel = level.withLock { $0 }
            return handler
        }
    }

    /// Applies `[log]` to the loggers made from now on (`serve` calls it before making
    /// any); a destination that cannot be opened ends the command with status 1.
    static func apply(_ settings: LogSettings) throws {
        level.withLock { $0 = Logger.Level(rawValue: settings.level.rawValue) ?? .info }
        do {
            switch settings.destination {
            case .standardError:
                target.withLock { $0 = .standardError }
            case .syslog(let socket):
                let syslog = try SyslogSocket(path: socket, facility: settings.facility, ident: "moat")
                target.withLock { $0 = .syslog(syslog) }
            case .file(let path):
                let file = try LogFile(path: path)
                target.withLock { $0 = .file(file) }
                reopenOnSIGUSR1(file)
            }
        } catch {
            printError("moat: [log] destination: \(error)")
            throw ExitCode(1)
        }
    }

    /// logrotate's `postrotate` sends SIGUSR1 (`systemctl kill -s USR1 moat`) after
    /// renaming the file: the next line goes to a new file of the old name.
    private static func reopenOnSIGUSR1(_ file: LogFile) {
        signal(SIGUSR1, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: DispatchQueue(label: "moat.log-reopen"))
        let logger = Logger(label: "moat")
        source.setEventHandler {
            do {
                try file.reopen()
                logger.notice("SIGUSR1: log file \(file.path) reopened")
            } catch {
                logger.error("SIGUSR1: cannot reopen the log file, still writing to the old one: \(error)")
            }
        }
        source.resume()
        reopenSignal.withLock { $0 = source }
    }
}
