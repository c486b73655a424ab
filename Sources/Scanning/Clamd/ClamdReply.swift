/// clamd's answer to one INSTREAM, parsed.
///
/// Replies look like (each terminated by NUL for `z` commands, newline for `n`):
///
///     stream: OK
///     stream: Eicar-Test-Signature FOUND
///     INSTREAM size limit exceeded. ERROR
///     stream: Can't allocate memory ERROR
///
/// With `AllMatchScan` clamd sends one `FOUND` line per match, so all lines are read.
enum ClamdReply: Equatable, Sendable {
    case clean
    case infected([String])
    case error(String)
    /// Nothing clamd would ever send: empty, truncated or unrecognised.
    case malformed(String)

    init(parsing bytes: [UInt8]) {
        let lines = bytes
            .split(whereSeparator: { $0 == 0 || $0 == UInt8(ascii: "\n") })
            .map { String(decoding: $0, as: UTF8.self).trimmingWhitespace() }
            .filter { !$0.isEmpty }
        guard !lines.isEmpty else {
            self = .malformed("empty reply")
            return
        }
        var viruses: [String] = []
        var error: String?
        var sawOK = false
        for line in lines {
            if line.hasSuffix(" FOUND") {
                viruses.append(Self.subject(of: String(line.dropLast(" FOUND".count))))
            } else if line.hasSuffix("ERROR") {
                error = error ?? line
            } else if Self.subject(of: line) == "OK" {
                sawOK = true
            } else {
                self = .malformed(line)
                return
            }
        }
        // A detection outranks an error in the same reply: the content is known bad.
        if !viruses.isEmpty {
            self = .infected(viruses)
        } else if let error {
            self = .error(error)
        } else {
            self = sawOK ? .clean : .malformed(lines.joined(separator: " / "))
        }
    }

    /// "stream: Eicar-Test-Signature" -> "Eicar-Test-Signature" (also "1: stream: ..." in sessions).
    private static func subject(of line: String) -> String {
        guard let range = line.range(of: "stream: ") else { return line }
        return String(line[range.upperBound...])
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}
