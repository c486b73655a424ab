/// Greedy header folding as amavisd-new does it for `X-Spam-Status` and for the
/// `Subject` of its notifications (RFC 5322 §2.2.3):
///
/// ```
/// X-Spam-Status: Yes, score=11.126 tagged_above=-9999 required=6.31
///  tests=[FREEMAIL_FORGED_FROMDOMAIN=1, FREEMAIL_FROM=0.001,
///  FSL_HELO_NON_FQDN_1=2.361, HEADER_FROM_DIFFERENT_DOMAINS=1, HELO_NO_DOMAIN=1,
/// ```
///
/// Tokens are separated by one space; a token goes on the current line if the line,
/// counted in octets including the `Name: ` prefix, stays within `width` (inclusive: the
/// third line above is exactly 78); otherwise a continuation line starting with one
/// space begins. A token is never split, so a token longer than `width` gets a line of
/// its own: callers keep tokens well under RFC 5322's 998-octet line limit.
public enum HeaderFolding {
    /// The folded field, lines separated by CRLF and ending with CRLF. With no tokens the
    /// field is `Name:` and nothing after the colon (as amavisd-new's empty `X-Spam-Level:`).
    public static func fold(name: String, tokens: [String], width: Int = 78) -> String {
        var lines: [String] = []
        var line = name + ":"
        var length = line.utf8.count
        var lineHasToken = false
        for token in tokens where !token.isEmpty {
            let tokenLength = token.utf8.count
            if !lineHasToken || length + 1 + tokenLength <= width {
                line += " " + token
                length += 1 + tokenLength
            } else {
                lines.append(line)
                line = " " + token
                length = 1 + tokenLength
            }
            lineHasToken = true
        }
        lines.append(line)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// ``fold(name:tokens:width:)`` over `value` split at runs of spaces and tabs.
    public static func fold(name: String, value: String, width: Int = 78) -> String {
        fold(name: name, tokens: value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init),
             width: width)
    }
}
