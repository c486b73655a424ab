import CPCRE2

/// A PCRE2 failure, carrying what a rule author needs to fix the pattern.
///
/// Compile errors name the pattern and the byte offset PCRE2 stopped at; match errors
/// (match limit, depth limit, bad UTF in strict UTF mode) name the PCRE2 error code.
public struct PCREError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// `pcre2_compile` rejected the pattern.
        case compile
        /// `pcre2_match` failed for a reason other than "no match".
        case match
    }

    public let kind: Kind
    /// The PCRE2 error code (negative for match errors, positive for compile errors).
    public let code: Int32
    /// PCRE2's own text for `code`.
    public let message: String
    /// Byte offset into the pattern where compilation failed (compile errors only).
    public let offset: Int?
    /// The pattern, so a log line is self-contained.
    public let pattern: String

    public var description: String {
        switch kind {
        case .compile:
            return "invalid regex /\(pattern)/ at offset \(offset ?? 0): \(message)"
        case .match:
            return "regex /\(pattern)/ match failed (PCRE2 error \(code)): \(message)"
        }
    }

    static func messageText(for code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer {
            moat_pcre2_error_message(code, $0.baseAddress, $0.count)
        }
        guard length > 0 else { return "PCRE2 error \(code)" }
        return String(decoding: buffer[..<Int(length)], as: UTF8.self)
    }
}
