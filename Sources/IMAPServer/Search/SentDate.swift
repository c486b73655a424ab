/// A `Date:` header value (RFC 5322 §3.3, with the obsolete forms of §4.3): the instant and
/// the zone the sender wrote it in. SENTBEFORE/SENTON/SENTSINCE compare the date as written
/// in that zone (Dovecot's behaviour: the day the sender saw); SORT DATE compares instants.
struct SentDate: Hashable, Sendable {
    /// Unix seconds (UTC).
    var instant: Int64
    /// The written zone, in seconds east of UTC.
    var zoneOffset: Int

    /// The calendar day as written, as days since 1970-01-01.
    var localDay: Int64 { CivilDate.floorDiv(instant + Int64(zoneOffset), 86_400) }

    /// Parses `Sun, 25 Mar 2007 04:00:00 +0300`; the weekday, the seconds and the zone may
    /// be missing (no zone: UTC, as RFC 5322 §4.3 reads `-0000`). Nil when the day, month,
    /// year or time cannot be read.
    static func parse(_ text: String) -> SentDate? {
        var words: [Substring] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) {
            // Comments (`(EEST)`) carry nothing we use.
            if word.hasPrefix("(") || word.hasSuffix(")") { continue }
            words.append(word)
        }
        if let first = words.first, first.count >= 3, first.first?.isLetter == true { words.removeFirst() }
        guard words.count >= 4,
              let day = Int(words[0]), (1...31).contains(day),
              let month = Self.month(words[1]),
              var year = Int(words[2]), year >= 0
        else { return nil }
        // RFC 5322 §4.3: two-digit years are 19xx from 50, 20xx below; three digits add 1900.
        // A four-digit year before 1000 (spam's `0102`) is no date, as in Dovecot.
        switch words[2].count {
        case ...2: year += year < 50 ? 2000 : 1900
        case 3: year += 1900
        default: guard year >= 1000 else { return nil }
        }
        let time = words[3].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2 || time.count == 3,
              let hour = Int(time[0]), let minute = Int(time[1]), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        // 31 Feb is no date (Dovecot then takes 1 Jan 1970), not 2 Mar.
        guard day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        let second = time.count == 3 ? Int(time[2]) ?? 0 : 0
        guard (0...60).contains(second) else { return nil }
        let offset = words.count > 4 ? Self.zoneOffset(words[4]) : 0
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        let local = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return SentDate(instant: local - Int64(offset), zoneOffset: offset)
    }

    private static func month(_ word: Substring) -> Int? {
        let prefix = word.prefix(3).lowercased()
        guard let index = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            .firstIndex(of: prefix) else { return nil }
        return index + 1
    }

    /// `+hhmm`/`-hhmm` or an obsolete name (RFC 5322 §4.3); unknown names are UTC.
    private static func zoneOffset(_ word: Substring) -> Int {
        if let sign = word.first, sign == "+" || sign == "-", word.count == 5, let value = Int(word.dropFirst()) {
            let seconds = (value / 100) * 3600 + (value % 100) * 60
            return sign == "-" ? -seconds : seconds
        }
        let hours: [String: Int] = ["EDT": -4, "EST": -5, "CDT": -5, "CST": -6, "MDT": -6, "MST": -7, "PDT": -7, "PST": -8]
        return (hours[word.uppercased()] ?? 0) * 3600
    }
}

/// Proleptic Gregorian day arithmetic without Foundation's calendars (Howard Hinnant's
/// days-from-civil), so date keys cost no allocation.
enum CivilDate {
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}
