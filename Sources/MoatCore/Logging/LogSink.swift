import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One log record on its way to a destination, already made printable by
/// `PrintableLogHandler`.
public struct LogRecord: Sendable {
    public var time: time_t
    public var level: Logger.Level
    public var label: String
    public var metadata: Logger.Metadata
    public var source: String
    public var message: String

    /// `key=value` pairs sorted by key, as swift-log's stream handler prints them; nil when none.
    public var metadataText: String? {
        metadata.isEmpty ? nil : metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}

/// Where `SinkLogHandler` hands its records: the syslog socket (a log file is a
/// `StreamLogHandler`'s stream instead). Shared by every logger of the process, so writes
/// of one record are never interleaved with another's.
public protocol LogSink: Sendable {
    func write(_ record: LogRecord)
}

/// A `LogHandler` that passes each record to a `LogSink`. Put a `PrintableLogHandler` in
/// front of it: it does no escaping of its own, and it ignores `event.error`, which the
/// printable handler always turns into `error.message`/`error.type` metadata.
public struct SinkLogHandler: LogHandler {
    public let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let sink: any LogSink

    public init(label: String, sink: any LogSink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        sink.write(LogRecord(time: time(nil), level: event.level, label: label, metadata: merged,
                             source: event.source, message: event.message.description))
    }
}
