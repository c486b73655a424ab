/// The `.cf` `moat rules rescore` writes: one `score NAME value` line per rescored rule,
/// under a header saying what it was fitted on. Loaded after the rule files it rescores,
/// its lines win, as later `score` lines do in SpamAssassin.
public enum ScoreFile {
    public static func text(rules: [String], scores: [Double], header: [String]) -> String {
        var lines = header.map { "# \($0)" }
        lines.append("")
        for (name, score) in zip(rules, scores) {
            lines.append("score \(name) \(format(score))")
        }
        return lines.joined(separator: "\n") + "\n"
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
