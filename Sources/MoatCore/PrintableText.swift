extension String {
    /// The text with control characters replaced by `?`, as Postfix's printable(): what
    /// came from outside (a client, a message, a remote server) may go into logs, headers
    /// and a terminal only this way, so it cannot start a new log line or header field,
    /// move the cursor, recolour the screen or reorder what the reader sees.
    ///
    /// Replaced: C0 and C1 controls with DEL (CR, LF, NUL, ESC…), the Unicode line and
    /// paragraph separators, and the bidirectional overrides and isolates (U+202A–U+202E,
    /// U+2066–U+2069), which make a name read backwards. Other UTF-8 stays readable.
    public var printable: String {
        guard unicodeScalars.contains(where: \.isUnprintable) else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.map { $0.isUnprintable ? "?" : $0 }))
    }

    /// `printable`, and Postfix's neuter(" <>()\\\";@", '?') on top: a HELO name written
    /// into `Received: from HELO (name [addr])` cannot fake the parenthesised part that
    /// spam filters (ours included) read as the verified client.
    public var neuteredHostArgument: String {
        String(String.UnicodeScalarView(printable.unicodeScalars.map { " <>()\\\";@".unicodeScalars.contains($0) ? "?" : $0 }))
    }
}

extension Unicode.Scalar {
    /// Whether `String.printable` replaces this scalar.
    public var isUnprintable: Bool {
        switch value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
