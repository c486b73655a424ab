import MIME

/// SpamAssassin's `Util::parse_rfc822_date` (4.0.1), with the same leniency: the three date
/// layouts it accepts, two- and three-digit years, missing seconds, numeric and named time
/// zones (unknown names count as -0000), out-of-range fields fudged, years clamped to
/// 1970…2037. Returns Unix seconds, or nil where SpamAssassin returns undef.
public enum RFC822Date {
    static let timeZones: [String: String] = [
        "UT": "+0000", "UTC": "+0000",
        "NDT": "-0230", "AST": "-0400", "ADT": "-0300", "NST": "-0330", "EST": "-0500", "EDT": "-0400",
        "CST": "-0600", "CDT": "-0500", "MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700",
        "HST": "-1000", "AKST": "-0900", "AKDT": "-0800", "HADT": "-0900", "HAST": "-1000",
        "GMT": "+0000", "BST": "+0100", "IST": "+0100", "WET": "+0000", "WEST": "+0100", "CET": "+0100",
        "CEST": "+0200", "EET": "+0200", "EEST": "+0300", "MSK": "+0300", "MSD": "+0400", "MET": "+0100",
        "MEZ": "+0100", "MEST": "+0200", "MESZ": "+0200",
        "BRST": "-0200", "BRT": "-0300",
        "AEST": "+1000", "AEDT": "+1100", "ACST": "+0930", "ACDT": "+1030", "AWST": "+0800",
        "NZST": "+1200", "NZDT": "+1300",
        "JST": "+0900", "KST": "+0900", "HKT": "+0800", "SGT": "+0800", "PHT": "+0800",
        "IDT": "+0300",
    ]
    static let months = ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                         "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]

    private typealias P = RFC822DatePatterns

    public static func parse(_ date: String) -> Int? { parse(Array(date.utf8)) }

    public static func parse(_ date: [UInt8]) -> Int? {
        // $_ = " $date "; s/, */ /gs; s/\s+/ /gs;
        var text: [UInt8] = [0x20]
        text.reserveCapacity(date.count + 2)
        var i = 0
        while i < date.count {
            text.append(date[i] == 0x2C ? 0x20 : date[i])
            if date[i] == 0x2C { while i + 1 < date.count, date[i + 1] == 0x20 { i += 1 } }
            i += 1
        }
        text.append(0x20)
        text = UTF8Text.collapseSpace(text, unicode: false)

        var day: [UInt8], monthName: [UInt8], yearText: [UInt8]
        if let c = substitute(P.dayMonthYear(text), &text) {
            day = c[1]!; monthName = c[2]!; yearText = c[3]!
        } else if let c = substitute(P.ctime(text), &text) {
            day = c[2]!; monthName = c[1]!; yearText = c[3]!
        } else if let c = substitute(P.dayMonthYear(text, yearDigits: 2...3), &text) {
            day = c[1]!; monthName = c[2]!; yearText = c[3]!
        } else {
            return nil
        }
        var year = perlInt(yearText)
        if yearText.count == 2 && year < 50 {
            year += 2000
        } else if yearText.count != 4 {
            year += 1900
        }

        var hour = 0, minute = 0, second = 0
        if let c = substitute(P.clock(text), &text) {
            hour = perlInt(c[1]!); minute = perlInt(c[2]!); second = c[4].map(perlInt) ?? 0
        }

        var zone = "-0000"
        if let c = substitute(P.numericZone(text), &text) {
            zone = EvalSupport.text(c[1]!)
        } else if let c = substitute(P.namedZone(text), &text), let offset = timeZones[EvalSupport.text(c[1]!)] {
            zone = offset
        }

        let month = months[EvalSupport.text(EvalSupport.lower(monthName))] ?? 0
        var mday = perlInt(day)
        var mon = month
        second = min(second, 59)
        minute = min(minute, 59)
        hour = min(hour, 23)
        var maxDay = 31
        if [4, 6, 9, 11].contains(mon) {
            maxDay = 30
        } else if mon == 2 {
            maxDay = (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        }
        if mday > maxDay {
            mday = 1
            mon += 1
            if mon > 12 { mon = 1; year += 1 }
        }
        if year > 2037 { year = 2037 } else if year < 1970 { year = 1970 }
        // Time::Local::timegm croaks on day 0 (the only out-of-range value left here).
        guard mday >= 1, mon >= 1 else { return nil }
        var time = daysFromCivil(year, mon, mday) * 86400 + hour * 3600 + minute * 60 + second

        let zoneBytes = Array(zone.utf8)
        if zoneBytes.count == 5 {
            let sign = zoneBytes[0]
            let hh = Int(zoneBytes[1] - 0x30) * 10 + Int(zoneBytes[2] - 0x30)
            let mm = Int(zoneBytes[3] - 0x30) * 10 + Int(zoneBytes[4] - 0x30)
            let offset = (hh * 60 + mm) * 60
            if sign == UInt8(ascii: "-") {
                time += offset
            } else if time < offset {
                time = 0
            } else {
                time -= offset
            }
        }
        return time
    }

    /// Perl `s/re/ /` (first match only) for a match found in `text`: the captures, the
    /// whole match first, as PCRE numbers them.
    private static func substitute(_ match: P.Match?, _ text: inout [UInt8]) -> [[UInt8]?]? {
        guard let match else { return nil }
        let groups = [Array(text[match.whole])] + match.groups.map { $0.map(Array.init) }
        text.replaceSubrange(match.whole, with: [0x20])
        return groups
    }

    /// Perl's numification of a digit string; huge values saturate (they are only compared
    /// against small limits).
    private static func perlInt(_ digits: [UInt8]) -> Int {
        var value = 0
        for digit in digits {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(digit - 0x30))
            if o1 || o2 { return Int.max / 2 }
            value = s
        }
        return value
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
