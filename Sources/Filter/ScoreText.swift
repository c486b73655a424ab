import Foundation

/// Number formats of amavisd-new's headers and logs.
public enum ScoreText {
    /// `%.3f` without trailing zeros: `11.126`, `0`, `1000.998`, `-0.001`.
    public static func format(_ score: Double) -> String {
        var text = String(format: "%.3f", score)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// `X-Spam-Level` stars: one per whole point, at most 64.
    public static func stars(_ score: Double) -> String {
        guard score >= 1 else { return "" }
        return String(repeating: "*", count: min(64, Int(score)))
    }
}
