import MoatCore

/// Everything that can go wrong in the quarantine, each case carrying what an operator
/// needs to act on it (the ID, the path, the system error).
public enum QuarantineError: Error, CustomStringConvertible {
    /// The string is not a `MailID` (`MailID.isWellFormed`); refused because it would
    /// become a file name.
    case invalidID(String)
    /// No index row for this ID.
    case notFound(String)
    /// An entry with this ID is already quarantined (file or row); nothing was written.
    case duplicateID(String)
    /// An envelope address that cannot be written into a header line (CR, LF or NUL).
    case invalidAddress(String)
    /// A system call failed: which one, on which path, and `errno`.
    case io(operation: String, path: String, errno: Int32)
    /// A quarantine file that does not start with the expected envelope header block.
    case corruptFile(path: String, reason: String)
    /// An index row that cannot be decoded (unknown category, malformed JSON list).
    case corruptIndex(id: String, reason: String)
    /// The SQLite index failed; `underlying` is GRDB's `DatabaseError`.
    case index(operation: String, underlying: any Error)

    public var description: String {
        switch self {
        case .invalidID(let id):
            "invalid quarantine ID \(Self.quoted(id))"
        case .notFound(let id):
            "no quarantined message with ID \(Self.quoted(id))"
        case .duplicateID(let id):
            "a message with ID \(Self.quoted(id)) is already quarantined"
        case .invalidAddress(let address):
            "envelope address \(Self.quoted(address)) cannot be written to a header"
        case .io(let operation, let path, let code):
            SystemCallError(operation: operation, path: path, errno: code).description
        case .corruptFile(let path, let reason):
            "corrupt quarantine file \(path): \(reason)"
        case .corruptIndex(let id, let reason):
            "corrupt quarantine index row \(Self.quoted(id)): \(reason)"
        case .index(let operation, let underlying):
            "quarantine index \(operation) failed: \(underlying)"
        }
    }

    /// Debug-quoted, so control characters in hostile input are visible in logs.
    private static func quoted(_ text: String) -> String { String(reflecting: text) }
}

extension QuarantineError {
    /// Runs a `DurableFile` call, reporting its `SystemCallError` as `.io` so the
    /// quarantine's API keeps one error type; other errors pass through.
    @discardableResult
    static func mappingIO<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as SystemCallError {
            throw QuarantineError.io(operation: failure.operation, path: failure.path, errno: failure.errno)
        }
    }
}
