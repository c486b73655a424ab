/// A POP3 UIDL template in Dovecot's `pop3_uidl_format` syntax, the subset that identifies a
/// Maildir message: `%u` (UID), `%v` (UIDVALIDITY), `%f` (Maildir base name), `%%`; numbers
/// take a zero-padded width and `X` for hex (`%08Xu`), as Dovecot's var_expand.
public struct UIDLFormat: Sendable, Equatable {
    public let template: String

    public init(_ template: String) {
        self.template = template
    }

    /// Why `template` is not usable, or nil.
    public static func problem(_ template: String) -> String? {
        var hasIdentity = false
        var chars = template.makeIterator()
        while let c = chars.next() {
            guard c == "%" else { continue }
            var spec = chars.next()
            while let digit = spec, digit.isASCII, digit.isNumber { spec = chars.next() }
            if spec == "X" { spec = chars.next() }
            switch spec {
            case "u", "f": hasIdentity = true
            case "v", "%": break
            default: return "'%\(spec.map(String.init) ?? "")' is not one of %u %v %f %% (with a width and X: %08Xu)"
            }
        }
        return hasIdentity ? nil : "must contain %u or %f, or every message would have the same UIDL"
    }

    /// The UIDL of one message.
    public func uidl(uid: UInt32, uidValidity: UInt32, baseName: String) -> String {
        var out = ""
        var chars = template.makeIterator()
        while let c = chars.next() {
            guard c == "%" else {
                out.append(c)
                continue
            }
            var width = 0
            var spec = chars.next()
            while let digit = spec, let value = digit.wholeNumberValue, digit.isASCII {
                width = width * 10 + value
                spec = chars.next()
            }
            var hex = false
            if spec == "X" {
                hex = true
                spec = chars.next()
            }
            func number(_ value: UInt32) -> String {
                let text = String(value, radix: hex ? 16 : 10)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            switch spec {
            case "u": out += number(uid)
            case "v": out += number(uidValidity)
            case "f": out += baseName
            case "%": out += "%"
            default: break
            }
        }
        return out
    }
}
