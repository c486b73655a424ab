/// amavisd-new style message identifiers: 12 characters from the base64url alphabet
/// (72 random bits), used as the quarantine file name and in every log line, so they
/// must not be guessable: a quarantine release by ID must not be enumerable.
public enum MailID {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The length of the identifiers `generate()` makes.
    public static let generatedLength = 12

    /// A new identifier from the system CSPRNG. The first character is a letter or digit:
    /// an ID starting with `-` would read as an option on the command line
    /// (`moat quarantine show -x…`).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: generatedLength)
        bytes[0] = alphabet[Int(generator.next(upperBound: UInt64(62)))]
        for i in bytes.indices.dropFirst() { bytes[i] = alphabet[Int(generator.next() & 63)] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True for a string that could be a mail ID: a guard before it becomes a file name.
    public static func isWellFormed(_ id: String) -> Bool {
        let utf8 = id.utf8
        return (8...32).contains(utf8.count) && utf8.allSatisfy { alphabet.contains($0) }
    }
}
