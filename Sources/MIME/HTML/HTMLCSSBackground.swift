/// HTML.pm's `parse_css_background` (SpamAssassin 4.0.1, bug 8210): a CSS `background`
/// value split into layers (at commas) of tokens (at spaces), parentheses and quotes kept
/// whole. The text style takes the first token of the last layer that is a colour.
enum HTMLCSSBackground {
    static func layers(_ value: String) -> [[String]] {
        var layers: [[String]] = []
        var tokens: [String] = []
        var token = ""
        var stack: [Character] = []   // the closer each open parenthesis or quote waits for
        for ch in value {
            if let closer = stack.last {
                token.append(ch)
                if ch == closer {
                    stack.removeLast()
                    if ch == ")" && stack.isEmpty { tokens.append(token); token = "" }
                } else if closer == ")" && (ch == "\"" || ch == "'") {
                    stack.append(ch)
                }
                continue
            }
            switch ch {
            case " ":
                if !token.isEmpty { tokens.append(token) }
                token = ""
            case "(": token.append(ch); stack.append(")")
            case "\"", "'": token.append(ch); stack.append(ch)
            case ",":
                if !token.isEmpty { tokens.append(token) }
                token = ""
                layers.append(tokens)
                tokens = []
            default: token.append(ch)
            }
        }
        if !token.isEmpty { tokens.append(token) }
        if !tokens.isEmpty { layers.append(tokens) }
        return layers
    }

    /// The background colour a `background:` declaration sets, or nil (no colour token).
    static func color(_ value: String) -> String? {
        for token in layers(value.lowercased()).last ?? [] {
            let color = HTMLColor.nameToRGB(token)
            if color != "invalid" { return color }
        }
        return nil
    }
}
