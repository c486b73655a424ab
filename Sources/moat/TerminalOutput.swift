import Foundation
import MoatCore
#if canImport(Glibc)
import Glibc
#endif

/// A line (or lines) for the admin's terminal: the literal parts as the command wrote
/// them, every interpolated value through `String.printable`.
///
/// Subjects, senders, attachment names and remote replies are chosen by whoever sent the
/// mail; printed raw, an ESC sequence in a subject reaches the terminal that runs
/// `moat quarantine list`, and a CR LF fakes a listing line. Every command prints through
/// `say`/`printError`, which take only this type, so a value cannot skip the escaping.
struct TerminalText: ExpressibleByStringInterpolation {
    fileprivate var text: String

    init(stringLiteral literal: String) {
        text = literal
    }

    init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
    }

    struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var text = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        mutating func appendInterpolation(_ value: some Any) {
            text += String(describing: value).printable
        }

        /// Lines the command assembled itself: each made printable, joined by newlines.
        mutating func appendInterpolation(lines: [String]) {
            text += lines.map(\.printable).joined(separator: "\n")
        }

        /// Columns for `cut`/`awk`: each made printable, joined by tabs.
        mutating func appendInterpolation(columns: [String]) {
            text += columns.map(\.printable).joined(separator: "\t")
        }
    }
}

/// Prints `text` and a newline on standard output.
func say(_ text: TerminalText) {
    TerminalOutput.write(Array((text.text + "\n").utf8), fd: 1)
}

/// Prints `text` and a newline on standard error.
func printError(_ text: TerminalText) {
    TerminalOutput.write(Array((text.text + "\n").utf8), fd: 2)
}

/// Prints JSON text and a newline. JSON's encoders escape U+0000–U+001F; what JSON allows
/// raw but a terminal may still act on (DEL, C1 controls, bidirectional overrides) is
/// written as a JSON `\u` escape too (`\u009b`), which decodes to the same string.
func sayJSON(_ json: Data) {
    var text = ""
    for scalar in String(decoding: json, as: UTF8.self).unicodeScalars {
        if scalar.isUnprintable {
            text += String(format: "\\u%04x", scalar.value)
        } else {
            text.unicodeScalars.append(scalar)
        }
    }
    TerminalOutput.write(Array((text + "\n").utf8), fd: 1)
}

enum TerminalOutput {
    /// Writes stored message bytes to standard output: unchanged into a pipe or a file
    /// (`| sa-learn`, `> message.eml` get the exact bytes), but on a terminal with every
    /// control character other than tab and newline shown as `?` (a CR before LF is
    /// dropped), as a pager would make them harmless.
    static func writeMessage(_ bytes: [UInt8]) {
        guard isatty(1) == 1 else { return write(bytes, fd: 1) }
        var shown = String.UnicodeScalarView()
        var pendingCR = false
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            if pendingCR && scalar != "\n" { shown.append("?") }
            pendingCR = scalar == "\r"
            switch scalar {
            case "\r": continue
            case "\n", "\t": shown.append(scalar)
            default: shown.append(scalar.isUnprintable ? "?" : scalar)
            }
        }
        if pendingCR { shown.append("?") }
        write(Array(String(shown).utf8), fd: 1)
    }

    /// Writes all of `bytes`, retrying short writes.
    static func write(_ bytes: [UInt8], fd: Int32) {
        var rest = bytes[...]
        while !rest.isEmpty {
            let n = rest.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            rest = rest.dropFirst(n)
        }
    }
}
