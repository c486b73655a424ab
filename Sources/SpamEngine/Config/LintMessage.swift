/// A problem found while reading rule files: unknown directive, bad regex, unknown eval
/// function, score for an undefined rule… Errors make `moat rules lint` exit 1.
public struct LintMessage: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }

    public var severity: Severity
    public var location: SourceLocation
    public var message: String

    public init(_ severity: Severity, _ location: SourceLocation, _ message: String) {
        self.severity = severity
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}
