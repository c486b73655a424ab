import Foundation

/// Parses `"30s"`, `"5m"`, `"2h"`, `"7d"`, `"2w"`, `"500ms"`: the duration syntax of the
/// configuration and of CLI options such as `--since 2d`.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = t.prefix { $0.isNumber }
        guard !digits.isEmpty, let n = Int64(digits) else { return nil }
        let multiplier: Int64
        switch t.dropFirst(digits.count) {
        case "", "s": multiplier = 1
        case "ms": return .milliseconds(n)
        case "m": multiplier = 60
        case "h": multiplier = 3600
        case "d": multiplier = 86_400
        case "w": multiplier = 604_800
        default: return nil
        }
        let (seconds, overflow) = n.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : .seconds(seconds)
    }

    /// `seconds` in the largest unit of this syntax (`30d`, `12h`, `90m`, `40s`): with
    /// `exact`, a unit that divides it (a setting read back as written); without, the
    /// largest unit it reaches, rounded down (`5d` for a message queued five and a half days).
    public static func format(seconds: Int64, exact: Bool) -> String {
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds >= size {
            if !exact { return "\(seconds / size)\(unit)" }
            if seconds % size == 0 { return "\(seconds / size)\(unit)" }
        }
        return "\(seconds)s"
    }
}

/// Parses `"512K"`, `"50M"`, `"1G"` (powers of 1024) or a plain byte count.
public enum ByteSizeText {
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let digits = t.prefix { $0.isNumber }
        guard !digits.isEmpty, let n = Int(digits) else { return nil }
        let unit: Int
        switch t.dropFirst(digits.count) {
        case "", "B": unit = 1
        case "K", "KB", "KIB": unit = 1 << 10
        case "M", "MB", "MIB": unit = 1 << 20
        case "G", "GB", "GIB": unit = 1 << 30
        default: return nil
        }
        let (product, overflow) = n.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }
}

extension Duration {
    /// Whole seconds as a Double, for timers and log lines.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
