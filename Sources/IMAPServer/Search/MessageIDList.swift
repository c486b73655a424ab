/// The `msg-id`s (`<left@right>`, RFC 5322 §3.6.4) of a Message-ID, References or
/// In-Reply-To value, brackets and white space removed, comments and stray words skipped:
/// THREAD=REFERENCES links messages by them.
enum MessageIDList {
    static func parse(_ value: String) -> [String] {
        var ids: [String] = []
        var current: String?
        var commentDepth = 0
        for character in value {
            if commentDepth > 0 {
                if character == "(" { commentDepth += 1 } else if character == ")" { commentDepth -= 1 }
                continue
            }
            switch character {
            case "(" where current == nil: commentDepth = 1
            case "<": current = ""
            case ">":
                // Dovecot also wants an `@`: `<foo>` is not a message id.
                if let id = current, id.contains("@"), !id.hasPrefix("@"), !id.hasSuffix("@") { ids.append(id) }
                current = nil
            case " ", "\t", "\r", "\n": break
            default: current?.append(character)
            }
        }
        return ids
    }
}
