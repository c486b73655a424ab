/// `date-day "-" date-month "-" date-year`, e.g. `1-Feb-1994` (RFC 9051 §9). The month is 1…12.
public struct IMAPDate: Hashable, Sendable {
    public var day: Int
    public var month: Int
    public var year: Int

    public init(day: Int, month: Int, year: Int) {
        self.day = day
        self.month = month
        self.year = year
    }

    public static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

/// `date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE`,
/// e.g. `"17-Jul-1996 02:44:25 -0700"`. `zoneMinutes` is the offset east of UTC.
public struct IMAPDateTime: Hashable, Sendable {
    public var date: IMAPDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var zoneMinutes: Int

    public init(date: IMAPDate, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.zoneMinutes = zoneMinutes
    }
}
