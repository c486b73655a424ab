import Logging
import MoatCore

/// Where every subcommand's log lines go: standard error, each line made printable
/// (`PrintableLogHandler`), so outside text cannot forge records or reach a terminal raw.
enum LogOutput {
    /// The level of handlers made from now on: `serve` sets the configured one before it
    /// makes its loggers.
    static let level = Locked<Logger.Level>(.info)

    /// Installs the handler factory; once per process, before any logger is made.
    static func bootstrap() {
        LoggingSystem.bootstrap { label in
            var handler = PrintableLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level.withLock { $0 }
            return handler
        }
    }
}
