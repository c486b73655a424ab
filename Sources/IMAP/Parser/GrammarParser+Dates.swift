/// Dates and date-times (RFC 9051 §9).
extension GrammarParser {
    /// `date = date-text / DQUOTE date-text DQUOTE`
    mutating func date() throws(GrammarError) -> IMAPDate {
        guard take("\"") else { return try dateText() }
        let date = try dateText()
        try expect("\"")
        return date
    }

    /// `date-text = date-day "-" date-month "-" date-year`; `date-day = 1*2DIGIT`
    mutating func dateText() throws(GrammarError) -> IMAPDate {
        let day = try digits(1...2)
        try expect("-")
        let month = try month()
        try expect("-")
        let year = try digits(4...4)
        guard (1...31).contains(day) else { throw .syntax("Invalid day") }
        return IMAPDate(day: day, month: month, year: year)
    }

    /// `date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE`;
    /// `date-day-fixed = (SP DIGIT) / 2DIGIT`; `time = 2DIGIT ":" 2DIGIT ":" 2DIGIT`;
    /// `zone = ("+" / "-") 4DIGIT`
    mutating func dateTime() throws(GrammarError) -> IMAPDateTime {
        try expect("\"")
        _ = take(" ")
        let day = try digits(1...2)
        try expect("-")
        let month = try month()
        try expect("-")
        let year = try digits(4...4)
        try space()
        let hour = try digits(2...2)
        try expect(":")
        let minute = try digits(2...2)
        try expect(":")
        let second = try digits(2...2)
        try space()
        let sign: Int
        if take("+") { sign = 1 } else if take("-") { sign = -1 } else { throw .syntax("Expected a time zone") }
        let zone = try digits(4...4)
        try expect("\"")
        guard (1...31).contains(day), hour < 24, minute < 60, second < 61, zone % 100 < 60 else {
            throw .syntax("Invalid date-time")
        }
        return IMAPDateTime(
            date: IMAPDate(day: day, month: month, year: year), hour: hour, minute: minute, second: second,
            zoneMinutes: sign * (zone / 100 * 60 + zone % 100))
    }

    /// `date-month = "Jan" / "Feb" / … / "Dec"` (case-insensitive), as 1…12.
    private mutating func month() throws(GrammarError) -> Int {
        for (offset, name) in IMAPDate.monthNames.enumerated() where take(word: name.uppercased()) { return offset + 1 }
        throw .syntax("Invalid month")
    }

    private mutating func digits(_ count: ClosedRange<Int>) throws(GrammarError) -> Int {
        let start = index
        while index < bytes.count, index - start < count.upperBound, IMAPCharacter.isDigit(bytes[index]) { index += 1 }
        guard count.contains(index - start) else { throw .syntax("Invalid date") }
        return bytes[start..<index].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
