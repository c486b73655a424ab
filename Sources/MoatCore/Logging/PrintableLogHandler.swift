import Logging

/// Renders every log record through `String.printable`: the message, each metadata value
/// and an attached error's text.
///
/// Log lines carry what outsiders chose (decoded attachment names, Message-IDs, subjects,
/// a remote server's reply, a client's HELO). Escaped at each call site, one forgotten
/// field lets a CR LF plant a fake record or an ESC sequence reach whoever reads the log;
/// escaped here, where lines are rendered, no caller can forget. Moat's own text never
/// needs a control character, so nothing legitimate is lost.
public struct PrintableLogHandler: LogHandler {
    private var inner: any LogHandler

    /// - Parameter inner: the handler that writes the lines (e.g. `StreamLogHandler`).
    public init(_ inner: any LogHandler) {
        self.inner = inner
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue.mapValues(Self.printable) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(Self.printable) }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: event.message.description.printable)
        var metadata = event.metadata?.mapValues(Self.printable)
        if let error = event.error {
            // The inner handler would render the error's own text unescaped.
            metadata = metadata ?? [:]
            metadata?["error.message"] = .string("\(error)".printable)
            metadata?["error.type"] = .string(String(reflecting: type(of: error)))
            event.error = nil
        }
        event.metadata = metadata
        inner.log(event: event)
    }

    /// The value with every string in it made printable; lists and dictionaries keep their shape.
    static func printable(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(text.printable)
        case .stringConvertible(let item): .string(item.description.printable)
        case .array(let items): .array(items.map(printable))
        case .dictionary(let entries): .dictionary(entries.mapValues(printable))
        }
    }
}
