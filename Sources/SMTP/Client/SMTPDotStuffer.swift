// SMTPDotStuffer - the DATA encoding of a message (RFC 5321 §4.5.2, §2.3.8).
//
// Sans-I/O and streaming: feed the message in pieces of any size, get the wire bytes.
//   - a line starting with "." gets one more "." in front;
//   - a bare LF becomes CRLF (RFC 5321 §2.3.8: lines end in CRLF); CRLF stays CRLF;
//   - a bare CR and every other byte (NUL, 8-bit) pass through unchanged;
//   - `finish` ends an unterminated last line, then appends the final ".\r\n".
// Runs between line ends are copied in bulk (memchr for LF), so a 50 MB message costs a
// few memcpy passes, not a byte-by-byte loop.
//
// BUGS: a message whose very last byte is a CR gets only an LF appended (the CR is taken
// as the start of the missing line end) rather than CRLF.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Dot-stuffs and CRLF-normalises a message for the DATA phase, piece by piece.
public struct SMTPDotStuffer: Sendable {
    private var atLineStart = true
    private var lastWasCR = false

    public init() {}

    /// Encodes a whole message, final dot included.
    public static func encode(_ message: some Collection<UInt8>) -> [UInt8] {
        var stuffer = SMTPDotStuffer()
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 32 + 5)
        let done: Void? = message.withContiguousStorageIfAvailable { stuffer.encode(UnsafeRawBufferPointer($0), into: &out) }
        if done == nil { stuffer.encode(Array(message), into: &out) }
        stuffer.finish(into: &out)
        return out
    }

    public mutating func encode(_ input: [UInt8], into output: inout [UInt8]) {
        input.withUnsafeBytes { encode($0, into: &output) }
    }

    public mutating func encode(_ input: ArraySlice<UInt8>, into output: inout [UInt8]) {
        input.withUnsafeBytes { encode($0, into: &output) }
    }

    public mutating func encode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        encode(input) { output.append(contentsOf: $0) }
    }

    /// Appends what must follow the last piece: CRLF if the message did not end with a
    /// line end, then `.` CRLF.
    public mutating func finish(into output: inout [UInt8]) {
        finish { output.append(contentsOf: $0) }
    }

    /// The core: hands runs of output bytes to `emit`, in order.
    public mutating func encode(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        let count = input.count
        var i = 0
        while i < count {
            if atLineStart && input[i] == UInt8(ascii: ".") {
                Self.emit(Self.dot, emit)
            }
            guard let found = memchr(base + i, 10, count - i) else {
                emit(UnsafeRawBufferPointer(rebasing: input[i..<count]))
                lastWasCR = input[count - 1] == 13
                atLineStart = false
                return
            }
            let lf = base.distance(to: UnsafeRawPointer(found))
            let crBefore: Bool
            if lf > i {
                emit(UnsafeRawBufferPointer(rebasing: input[i..<lf]))
                crBefore = input[lf - 1] == 13
            } else {
                crBefore = lastWasCR
            }
            Self.emit(crBefore ? Self.lf : Self.crlf, emit)
            atLineStart = true
            lastWasCR = false
            i = lf + 1
        }
    }

    public mutating func finish(emit: (UnsafeRawBufferPointer) -> Void) {
        if !atLineStart { Self.emit(lastWasCR ? Self.lf : Self.crlf, emit) }
        Self.emit(Self.finalDot, emit)
        atLineStart = true
        lastWasCR = false
    }

    private static let dot: StaticString = "."
    private static let lf: StaticString = "\n"
    private static let crlf: StaticString = "\r\n"
    private static let finalDot: StaticString = ".\r\n"

    private static func emit(_ text: StaticString, _ emit: (UnsafeRawBufferPointer) -> Void) {
        emit(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
