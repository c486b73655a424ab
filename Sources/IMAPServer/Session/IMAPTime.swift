import Foundation
import IMAP

/// INTERNALDATE between the wire (`IMAPDateTime`, with its zone) and the store (Unix seconds).
enum IMAPTime {
    static func unixTime(_ value: IMAPDateTime) -> Double {
        var components = DateComponents()
        components.timeZone = TimeZone(secondsFromGMT: 0)
        components.year = value.date.year
        components.month = value.date.month
        components.day = value.date.day
        components.hour = value.hour
        components.minute = value.minute
        components.second = value.second
        let utc = Calendar(identifier: .gregorian).date(from: components)?.timeIntervalSince1970 ?? 0
        return utc - Double(value.zoneMinutes * 60)
    }

    /// The date-time of `seconds` in the server's local zone, as Dovecot shows INTERNALDATE.
    static func dateTime(_ seconds: Double, zone: TimeZone = .current) -> IMAPDateTime {
        let date = Date(timeIntervalSince1970: seconds.rounded(.down))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return IMAPDateTime(date: IMAPDate(day: c.day ?? 1, month: c.month ?? 1, year: c.year ?? 1970),
                            hour: c.hour ?? 0, minute: c.minute ?? 0, second: c.second ?? 0,
                            zoneMinutes: zone.secondsFromGMT(for: date) / 60)
    }
}
