extension String {
    /// The text with control characters (CR, LF, NUL, ESC…) replaced by `?`, as Postfix's
    /// printable(): what a client sent may go into logs and headers only this way, so it
    /// cannot start a new log line or header field.
    public var printable: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
    }

    /// `printable`, and Postfix's neuter(" <>()\\\";@", '?') on top: a HELO name written
    /// into `Received: from HELO (name [addr])` cannot fake the parenthesised part that
    /// spam filters (ours included) read as the verified client.
    public var neuteredHostArgument: String {
        String(String.UnicodeScalarView(printable.unicodeScalars.map { " <>()\\\";@".unicodeScalars.contains($0) ? "?" : $0 }))
    }
}
