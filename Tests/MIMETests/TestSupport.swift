@testable import MIME

/// Parses `text` after turning its LF line endings into CRLF (unless `crlf` is false).
func parse(_ text: String, crlf: Bool = true, limits: MIMELimits = .default) -> MIMEMessage {
    MIMEMessage.parse(bytes(text, crlf: crlf), limits: limits)
}

func bytes(_ text: String, crlf: Bool = true) -> [UInt8] {
    let raw = Array(text.utf8)
    guard crlf else { return raw }
    var out: [UInt8] = []
    out.reserveCapacity(raw.count + raw.count / 20)
    for b in raw {
        if b == 0x0A { out.append(0x0D) }
        out.append(b)
    }
    return out
}

extension MIMEPart {
    /// The raw body as a String, for assertions.
    var bodyString: String { String(decoding: body, as: UTF8.self) }
}
