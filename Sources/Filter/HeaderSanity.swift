import MIME

/// amavisd-new's bad-header checks on the top-level header section: lines that are not
/// header fields, 8-bit bytes in headers (RFC 5322 §2.2 without RFC 6532 declared),
/// lines over RFC 5322's 998-character limit, and a missing blank line before the body.
enum HeaderSanity {
    static func problems(in message: MIMEMessage) -> [String] {
        var problems: [String] = []
        for defect in message.defects {
            if case .badHeaderLine = defect { problems.append("Improper folded header field or garbage line in header section"); break }
        }
        let header = message.header
        for field in header.fields {
            if field.rawValue.contains(where: { $0 >= 0x80 }) {
                problems.append("Non-encoded 8-bit data (char \(field.rawValue.first { $0 >= 0x80 }.map { String($0, radix: 16, uppercase: true) } ?? "")) in message header '\(field.name)'")
                break
            }
        }
        var lineStart = header.startOffset
        let bytes = message.bytes
        for i in header.startOffset..<header.bodyOffset where bytes[i] == 0x0A {
            if i - lineStart > 999 {
                problems.append("Header line longer than 998 characters")
                break
            }
            lineStart = i + 1
        }
        return problems
    }
}
