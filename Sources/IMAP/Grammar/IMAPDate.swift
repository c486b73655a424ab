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
