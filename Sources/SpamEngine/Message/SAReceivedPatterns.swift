import Foundation
import PCRE

/// Compiled regexes for the Received-line parser, by pattern text: the parser spells each
/// of Received.pm's regexes inline, next to the Perl it ports, and compiles it once.
final class SAReceivedPatterns: @unchecked Sendable {
    static let shared = SAReceivedPatterns()

    private let lock = NSLock()
    private var compiled: [String: PCRERegex] = [:]

    /// `pattern` with `$IP_ADDRESS` and `$LOCALHOST` expanded (Constants.pm, `/ix`).
    func regex(_ pattern: String, caseless: Bool = false) -> PCRERegex {
        let key = caseless ? "i:" + pattern : pattern
        lock.lock()
        defer { lock.unlock() }
        if let regex = compiled[key] { return regex }
        let expanded = EvalSupport.withIP(pattern.replacingOccurrences(of: "$LOCALHOST", with: "(?ix:" + Self.localhostPattern + ")"))
        let regex = EvalSupport.regex(expanded, caseless ? [.caseless] : [])
        compiled[key] = regex
        return regex
    }

    /// The 12 bytes before an IPv4 address mapped into IPv6 (`::ffff:` and its spellings),
    /// as Constants.pm writes them for `LOCALHOST` and `IP_PRIVATE` (`/x`).
    private static let mappedIPv4Prefix = #"""
        (?:
          (?:0{1,4}:){5} ffff:
          | ::(?:0{1,4}:){0,4} ffff:
          | (?:0{1,4}:){1,4}: ffff:
          | 0{1,4}::(?:0{1,4}:){1,3} ffff:
          | (?:0{1,4}:){2}:0{1,2}: ffff:
          | (?:0{1,4}:){3}:0: ffff:
          | (?:0{1,4}:){4}: ffff:
        )
        """#

    /// `::1` in each of its spellings (Constants.pm, `/x`).
    private static let loopbackIPv6 = #"""
        (?:0{1,4}:){7} 0{0,3}1
        | :(?::0{1,4}){0,6}: 0{0,3}1
        | 0{1,4}:(?::0{1,4}){0,5}: 0{0,3}1
        | (?:0{1,4}:){2}(?::0{1,4}){0,4}: 0{0,3}1
        | (?:0{1,4}:){3}(?::0{1,4}){0,3}: 0{0,3}1
        | (?:0{1,4}:){4}(?::0{1,4}){0,2}: 0{0,3}1
        | (?:0{1,4}:){5}(?::0{1,4}){0,1}: 0{0,3}1
        | (?:0{1,4}:){6}: 0{0,3}1
        """#

    /// The private IPv4 ranges' leading octets (Constants.pm `IP_PRIVATE`, `/x`).
    private static let privateIPv4Start = #"""
        (?: 10 | 127 | 169\.254 | 172\.(?:1[6-9]|2[0-9]|3[01]) | 192\.168
          | 100\.(?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7]) )\..*
        """#

    /// SpamAssassin's `LOCALHOST` (Constants.pm), compiled `/ix`.
    static let localhostPattern = """
        (?:
          localhost(?:\\.localdomain)?
        |
          \\b(?<!:) 127\\.0\\.0\\.1 \\b
        |
          (?:IPv6: | (?<![a-f0-9:]) )
          (?: \(mappedIPv4Prefix) 127\\.0\\.0\\.1 | \(loopbackIPv6) )
          (?![a-f0-9:])
        )
        """

    /// SpamAssassin's `IP_PRIVATE` (Constants.pm), anchored at the start, compiled `/xi`.
    static let ipPrivate = EvalSupport.regex("""
        ^(?:
          \(privateIPv4Start)
        |
          (?:IPv6: | (?<![a-f0-9:]) )
          (?: \(mappedIPv4Prefix) \(privateIPv4Start) | fe[89ab][0-9a-f]:.* | \(loopbackIPv6) )
          (?![a-f0-9:])
        )
        """, [.extended, .caseless])
}
