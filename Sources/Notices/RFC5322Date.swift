import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 5322 §3.3 date-time in the exact shape amavisd-new writes in `Date:` and
/// `Received:` headers: `Thu, 26 Nov 2026 00:48:13 +0000 (UTC)`.
///
/// amavisd-new formats with `strftime("%a, %e %b %Y %H:%M:%S %z (%Z)")` in the C locale,
/// so a single-digit day is space-padded (`Tue,  7 Nov 2006`), which RFC 5322 allows
/// (`day = ([FWS] 1*2DIGIT FWS)`). Moat always writes UTC. Built on `gmtime_r`, not
/// `DateFormatter`: no locale, no time-zone database, no allocation beyond the result.
public enum RFC5322Date {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `date` in UTC, whole seconds (fractions are dropped, as `time()` would).
    public static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else {
            // Only for dates outside what struct tm can hold; never for a clock reading.
            return "Thu,  1 Jan 1970 00:00:00 +0000 (UTC)"
        }
        let weekday = weekdays[Int(parts.tm_wday) % 7]
        let month = months[Int(parts.tm_mon) % 12]
        let day = parts.tm_mday < 10 ? " \(parts.tm_mday)" : "\(parts.tm_mday)"
        let year = Int(parts.tm_year) + 1900
        return "\(weekday), \(day) \(month) \(year) \(twoDigits(parts.tm_hour)):"
            + "\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) +0000 (UTC)"
    }

    private static func twoDigits(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
