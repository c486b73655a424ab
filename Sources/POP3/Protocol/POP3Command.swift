/// A POP3 command line (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH), parsed.
/// Message numbers stay as the client wrote them until the session checks them against the
/// maildrop, so "no such message" and "not a number" get their own answers.
public enum POP3Command: Sendable, Equatable {
    case capa
    case user(String)
    case pass([UInt8])
    /// `AUTH` alone lists the mechanisms; `AUTH PLAIN [initial-response]` starts one.
    case auth(mechanism: String?, initialResponse: String?)
    case stls
    case stat
    case list(String?)
    case retr(String)
    case dele(String)
    case noop
    case rset
    case top(String, lines: String)
    case uidl(String?)
    case quit

    /// Longest command line, CRLF included (RFC 2449 §4: 255 octets). A SASL response line
    /// may be longer (`POP3Session.maxSASLLine`).
    public static let maxLineLength = 255

    /// Why a line is not a command the session can act on.
    public enum ParseError: Error, Equatable, Sendable {
        case unknown(String)
        /// A known command with the wrong arguments: the text says which.
        case syntax(String)
    }

    /// Parses one line without its CRLF.
    public static func parse(_ line: ArraySlice<UInt8>) -> Result<POP3Command, ParseError> {
        // PASS keeps its argument's bytes as they are, spaces included (RFC 1939 §7: a
        // password may contain spaces), so it is split off before anything else.
        let words = line.split(separator: UInt8(ascii: " "), maxSplits: 1, omittingEmptySubsequences: false)
        let keyword = String(decoding: words.first ?? [], as: UTF8.self).uppercased()
        let rest = words.count > 1 ? Array(words[1]) : nil
        if keyword == "PASS" {
            guard let rest, !rest.isEmpty else { return .failure(.syntax("PASS needs a password")) }
            return .success(.pass(rest))
        }
        let arguments = rest.map { String(decoding: $0, as: UTF8.self).split(separator: " ").map(String.init) } ?? []
        func exactly(_ count: ClosedRange<Int>, _ make: ([String]) -> POP3Command) -> Result<POP3Command, ParseError> {
            count.contains(arguments.count) ? .success(make(arguments)) : .failure(.syntax("wrong number of arguments to \(keyword)"))
        }
        switch keyword {
        case "CAPA": return exactly(0...0) { _ in .capa }
        case "USER": return exactly(1...1) { .user($0[0]) }
        case "AUTH": return exactly(0...2) { .auth(mechanism: $0.first?.uppercased(), initialResponse: $0.count > 1 ? $0[1] : nil) }
        case "STLS": return exactly(0...0) { _ in .stls }
        case "STAT": return exactly(0...0) { _ in .stat }
        case "LIST": return exactly(0...1) { .list($0.first) }
        case "RETR": return exactly(1...1) { .retr($0[0]) }
        case "DELE": return exactly(1...1) { .dele($0[0]) }
        case "NOOP": return exactly(0...0) { _ in .noop }
        case "RSET": return exactly(0...0) { _ in .rset }
        case "TOP": return exactly(2...2) { .top($0[0], lines: $0[1]) }
        case "UIDL": return exactly(0...1) { .uidl($0.first) }
        case "QUIT": return exactly(0...0) { _ in .quit }
        default: return .failure(.unknown(keyword))
        }
    }
}
