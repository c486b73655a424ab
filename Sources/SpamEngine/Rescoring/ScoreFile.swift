/// The `.cf` `moat rules rescore` writes: one `score NAME value` line per rescored rule,
/// under a header saying what it was fitted on. Loaded after the rule files it rescores,
/// its lines win, as later `score` lines do in SpamAssassin.
public enum ScoreFile {
    /// One `score` line: one value (every score set) or SpamAssassin's four.
    public struct Line: Sendable, Equatable {
        public var rule: String
        public var scores: [Double]

        public init(rule: String, scores: [Double]) {
            precondition(scores.count == 1 || scores.count == 4)
            self.rule = rule
            self.scores = scores
        }
    }

    public static func text(_ lines: [Line], header: [String]) -> String {
        var text = header.map { "# \($0)" }
        text.append("")
        for line in lines {
            text.append("score \(line.rule) " + line.scores.map(format).joined(separator: " "))
        }
        return text.joined(separator: "\n") + "\n"
    }

    /// Three decimals, as SpamAssassin's own score files are written; `-0.000` is `0`.
    static func format(_ score: Double) -> String {
        let thousandths = (score * 1000).rounded()
        if thousandths == 0 { return "0" }
        let sign = thousandths < 0 ? "-" : ""
        let value = Int(abs(thousandths))
        let fraction = String(value % 1000)
        return "\(sign)\(value / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
