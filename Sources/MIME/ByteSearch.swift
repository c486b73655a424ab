#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MoatCore

/// ASCII byte values the parsers test against, named so the scanning code reads as the RFCs do.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let percent: UInt8 = 0x25
    static let apostrophe: UInt8 = 0x27
    static let openParen: UInt8 = 0x28
    static let closeParen: UInt8 = 0x29
    static let asterisk: UInt8 = 0x2A
    static let hyphen: UInt8 = 0x2D
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let question: UInt8 = 0x3F
    static let backslash: UInt8 = 0x5C
    static let underscore: UInt8 = 0x5F

    @inline(__always) static func isWSP(_ b: UInt8) -> Bool { b == space || b == tab }
    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool {
        b == space || b == tab || b == cr || b == lf
    }
    @inline(__always) static func lowercased(_ b: UInt8) -> UInt8 {
        (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
    }
    /// Value of a hexadecimal digit (either case), or nil.
    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }
}

extension Array where Element == UInt8 {
    /// The line starting at `start`: `content` excludes the line ending (LF or CRLF),
    /// `next` is where the following line starts (`end` when there is no LF).
    func line(from start: Int, end: Int) -> (content: Range<Int>, next: Int) {
        guard let lf = firstIndex(of: ASCII.lf, in: start..<end) else {
            return (start..<end, end)
        }
        var contentEnd = lf
        if contentEnd > start && self[contentEnd - 1] == ASCII.cr { contentEnd -= 1 }
        return (start..<contentEnd, lf + 1)
    }

    /// Whether the bytes at `offset` equal `prefix` (ASCII case-sensitive).
    func hasBytes(_ prefix: [UInt8], at offset: Int, end: Int) -> Bool {
        guard offset >= 0, offset + prefix.count <= end, end <= count else { return false }
        var i = 0
        while i < prefix.count {
            if self[offset + i] != prefix[i] { return false }
            i += 1
        }
        return true
    }
}

extension Collection where Element == UInt8 {
    /// ASCII-lowercased copy; non-ASCII bytes are left alone.
    func asciiLowercased() -> [UInt8] { map(ASCII.lowercased) }
}

extension String {
    /// Trims RFC 5322 whitespace (SP, HTAB, CR, LF) from both ends.
    func trimmingMailWhitespace() -> String {
        let bytes = Array(utf8)
        var lo = 0
        var hi = bytes.count
        while lo < hi && ASCII.isWhitespace(bytes[lo]) { lo += 1 }
        while hi > lo && ASCII.isWhitespace(bytes[hi - 1]) { hi -= 1 }
        if lo == 0 && hi == bytes.count { return self }
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    /// Lowercases ASCII letters only, so non-ASCII text is never changed by locale rules.
    func asciiLowercased() -> String {
        String(decoding: utf8.asciiLowercased(), as: UTF8.self)
    }
}
