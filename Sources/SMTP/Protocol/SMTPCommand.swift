import MoatCore

/// One SMTP/LMTP command line, parsed (RFC 5321 §4.1, RFC 2033 LHLO, Postfix XFORWARD).
public enum SMTPCommand: Sendable, Equatable {
    case helo(String)
    case ehlo(String)
    case lhlo(String)
    /// `MAIL FROM:<path> params`; `.null` for `<>`.
    case mail(EmailAddress, [String: String])
    case rcpt(EmailAddress, [String: String])
    case data
    case rset
    case noop
    case quit
    case vrfy
    case expn
    case help
    case xforward([(String, String)])
    case starttls
    case auth
    case bdat
    /// A command verb we do not know at all.
    case unknown(String)

    public static func == (lhs: SMTPCommand, rhs: SMTPCommand) -> Bool {
        switch (lhs, rhs) {
        case let (.helo(a), .helo(b)), let (.ehlo(a), .ehlo(b)), let (.lhlo(a), .lhlo(b)): return a == b
        case let (.mail(a, p), .mail(b, q)), let (.rcpt(a, p), .rcpt(b, q)): return a == b && p == q
        case let (.xforward(a), .xforward(b)): return a.map { "\($0.0)=\($0.1)" } == b.map { "\($0.0)=\($0.1)" }
        case let (.unknown(a), .unknown(b)): return a == b
        case (.data, .data), (.rset, .rset), (.noop, .noop), (.quit, .quit), (.vrfy, .vrfy), (.expn, .expn),
             (.help, .help), (.starttls, .starttls), (.auth, .auth), (.bdat, .bdat): return true
        default: return false
        }
    }
}

extension SMTPCommand {
    /// RFC 2920 §3.1: commands after which the client must wait for the reply before
    /// sending more (the last command of a pipelined group).
    public var endsPipelineGroup: Bool {
        switch self {
        case .helo, .ehlo, .lhlo, .data, .starttls, .quit, .noop, .vrfy, .expn, .help, .auth: true
        case .mail, .rcpt, .rset, .xforward, .bdat, .unknown: false
        }
    }
}

/// Why a command line could not be parsed; each maps to the reply Postfix gives.
public enum SMTPCommandError: Error, Sendable, Equatable {
    /// Known verb, bad arguments: `501 5.5.4 Syntax: …`.
    case syntax(String)
    /// A path we cannot accept: `501 5.1.3 Bad recipient address syntax` / `5.1.7` for senders.
    case badAddress(String, isSender: Bool)
    /// NUL or other bytes that never belong in a command.
    case badCharacters

    public var reply: SMTPReply {
        switch self {
        case .syntax(let usage): SMTPReply(501, "5.5.4", "Syntax: \(usage)")
        case .badAddress(let path, true): SMTPReply(501, "5.1.7", "Bad sender address syntax: \(path)")
        case .badAddress(let path, false): SMTPReply(501, "5.1.3", "Bad recipient address syntax: \(path)")
        case .badCharacters: SMTPReply(500, "5.5.2", "Error: bad syntax")
        }
    }
}

extension SMTPCommand {
    /// Parses one command line (without its CRLF).
    public static func parse(_ line: ArraySlice<UInt8>) throws(SMTPCommandError) -> SMTPCommand {
        guard !line.contains(0) else { throw .badCharacters }
        let text = String(decoding: line, as: UTF8.self)
        let verbEnd = text.firstIndex(of: " ") ?? text.endIndex
        let verb = text[..<verbEnd].uppercased()
        let argument = text[verbEnd...].trimmingSpaces()
        switch verb {
        case "HELO": return .helo(try hostArgument(argument, usage: "HELO hostname"))
        case "EHLO": return .ehlo(try hostArgument(argument, usage: "EHLO hostname"))
        case "LHLO": return .lhlo(try hostArgument(argument, usage: "LHLO hostname"))
        case "MAIL":
            let (address, params) = try pathArgument(argument, keyword: "FROM:", isSender: true)
            return .mail(address, params)
        case "RCPT":
            let (address, params) = try pathArgument(argument, keyword: "TO:", isSender: false)
            guard !address.isNull else { throw .badAddress("<>", isSender: false) }
            return .rcpt(address, params)
        case "DATA": return try noArgument(.data, argument, usage: "DATA")
        case "RSET": return try noArgument(.rset, argument, usage: "RSET")
        case "NOOP": return .noop
        case "QUIT": return try noArgument(.quit, argument, usage: "QUIT")
        case "VRFY": return .vrfy
        case "EXPN": return .expn
        case "HELP": return .help
        case "STARTTLS": return try noArgument(.starttls, argument, usage: "STARTTLS")
        case "AUTH": return .auth
        case "BDAT": return .bdat
        case "XFORWARD": return .xforward(try xforwardAttributes(argument))
        default: return .unknown(verb)
        }
    }

    private static func noArgument(_ command: SMTPCommand, _ argument: Substring, usage: String) throws(SMTPCommandError) -> SMTPCommand {
        guard argument.isEmpty else { throw .syntax(usage) }
        return command
    }

    private static func hostArgument(_ argument: Substring, usage: String) throws(SMTPCommandError) -> String {
        guard !argument.isEmpty else { throw .syntax(usage) }
        return String(argument)
    }

    /// `FROM:<a@b> SIZE=10 BODY=8BITMIME`. Like Postfix (strict_rfc821_envelopes=no) a space
    /// after the colon and a missing pair of brackets are tolerated; source routes
    /// (`<@a,@b:c@d>`) are stripped as RFC 5321 §4.1.2 allows.
    private static func pathArgument(_ argument: Substring, keyword: String, isSender: Bool) throws(SMTPCommandError) -> (EmailAddress, [String: String]) {
        let usage = isSender ? "MAIL FROM:<address>" : "RCPT TO:<address>"
        guard argument.uppercased().hasPrefix(keyword) else { throw .syntax(usage) }
        var rest = argument.dropFirst(keyword.count).trimmingSpaces()
        let path: Substring
        if rest.hasPrefix("<") {
            guard let close = closingBracket(in: rest) else { throw .badAddress(String(rest), isSender: isSender) }
            path = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex(of: " ") ?? rest.endIndex
            path = rest[..<end]
            rest = rest[end...]
        }
        var params: [String: String] = [:]
        for word in rest.split(separator: " ") {
            if let eq = word.firstIndex(of: "=") {
                params[word[..<eq].uppercased()] = String(word[word.index(after: eq)...])
            } else {
                params[word.uppercased()] = ""
            }
        }
        var mailbox = path
        if mailbox.hasPrefix("@"), let colon = mailbox.firstIndex(of: ":") {
            mailbox = mailbox[mailbox.index(after: colon)...]
        }
        if mailbox.isEmpty {
            guard path.isEmpty else { throw .badAddress("<\(path)>", isSender: isSender) }
            return (.null, params)
        }
        // RFC 5321 §4.1.1.3: `RCPT TO:<Postmaster>` without a domain must be accepted; the
        // session qualifies it (`SMTPServerSettings.postmasterDomain`).
        if !isSender, mailbox.lowercased() == "postmaster" {
            return (EmailAddress(uncheckedLocalPart: "postmaster", domain: ""), params)
        }
        guard let address = EmailAddress(parsing: mailbox) else {
            throw .badAddress("<\(path)>", isSender: isSender)
        }
        return (address, params)
    }

    /// The `>` that closes the path, skipping quoted local parts (`<"a>b"@c>`).
    private static func closingBracket(in text: Substring) -> Substring.Index? {
        var inQuotes = false
        var escaping = false
        for index in text.indices.dropFirst() {
            let ch = text[index]
            if escaping { escaping = false; continue }
            if ch == "\\" && inQuotes { escaping = true }
            else if ch == "\"" { inQuotes.toggle() }
            else if ch == ">" && !inQuotes { return index }
        }
        return nil
    }

    /// `XFORWARD NAME=host ADDR=1.2.3.4 PROTO=ESMTP HELO=x SOURCE=REMOTE`, values xtext-encoded.
    private static func xforwardAttributes(_ argument: Substring) throws(SMTPCommandError) -> [(String, String)] {
        var attrs: [(String, String)] = []
        for word in argument.split(separator: " ") {
            guard let eq = word.firstIndex(of: "=") else { throw .syntax("XFORWARD attribute=value...") }
            attrs.append((word[..<eq].uppercased(), XText.decode(word[word.index(after: eq)...])))
        }
        guard !attrs.isEmpty else { throw .syntax("XFORWARD attribute=value...") }
        return attrs
    }
}

/// RFC 3461 §4 xtext: `+XX` hex escapes.
public enum XText {
    public static func decode(_ text: Substring) -> String {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "+"), bytes.count >= 2,
               let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func encode(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            if b < 33 || b > 126 || b == UInt8(ascii: "+") || b == UInt8(ascii: "=") {
                out += "+" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(b))
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
