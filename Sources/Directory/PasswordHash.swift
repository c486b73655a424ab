import CCrypt
#if canImport(Glibc)
import Glibc
#endif

/// Dovecot-compatible password hashes, made and checked by libcrypt (libxcrypt).
///
/// New hashes are `{SHA512-CRYPT}$6$<16-char salt>$<86 chars>`, exactly what
/// `doveadm pw -s SHA512-CRYPT` writes, so a directory can be moved to or from a
/// Postfix Admin + Dovecot setup row by row. Verification accepts that form, the same
/// hash without the `{SHA512-CRYPT}` prefix (Postfix Admin's `md5crypt`-era rows are
/// bare `$1$…`), and Dovecot's `{CRYPT}`/`{SHA256-CRYPT}`/`{MD5-CRYPT}`, all of which
/// are crypt(3) strings that `crypt_r` understands.
public enum PasswordHash {
    /// The scheme prefix Moat writes.
    public static let scheme = "{SHA512-CRYPT}"

    /// Schemes whose payload is a crypt(3) string, with the method prefix each requires
    /// (nil: any method libcrypt supports, as Dovecot's `{CRYPT}`).
    private static let cryptSchemes: [(name: String, method: String?)] = [
        ("{SHA512-CRYPT}", "$6$"), ("{SHA256-CRYPT}", "$5$"), ("{MD5-CRYPT}", "$1$"), ("{CRYPT}", nil),
    ]

    /// Hashes `password` with SHA-512 crypt (5000 rounds, the libcrypt and Dovecot
    /// default) and a fresh 16-character salt from the system CSPRNG.
    /// - Throws: `DirectoryError.invalidPassword` for an empty password or one with NUL
    ///   (crypt(3) would silently truncate it); `.crypt` if libcrypt fails.
    public static func make(_ password: [UInt8]) throws(DirectoryError) -> String {
        try check(password)
        // libxcrypt turns 16 random bytes into the 16 salt characters SHA-512 crypt takes at most.
        var generator = SystemRandomNumberGenerator()
        let random = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let made = random.withUnsafeBytes { bytes in
            crypt_gensalt_rn("$6$", 0, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count),
                             &setting, Int32(setting.count))
        }
        guard made != nil else { throw .crypt(operation: "crypt_gensalt_rn", errno: errno) }
        let settingText = String(decoding: setting.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let hash = crypt(password, setting: settingText), hash.hasPrefix("$6$") else {
            throw .crypt(operation: "crypt_r", errno: errno)
        }
        return scheme + hash
    }

    /// True when `password` matches `stored`. The comparison of the recomputed hash takes
    /// the same time wherever the first difference is.
    /// - Throws: `DirectoryError.unsupportedHashScheme` for a `{SCHEME}` Moat cannot
    ///   check (`{PLAIN}`, `{ARGON2I}`…) or a bare string that is not a crypt(3) hash.
    public static func verify(_ password: [UInt8], against stored: String) throws(DirectoryError) -> Bool {
        let setting = try cryptString(stored)
        if password.isEmpty || password.contains(0) { return false }
        guard let computed = crypt(password, setting: setting), !computed.hasPrefix("*") else { return false }
        return constantTimeEqual(Array(computed.utf8), Array(setting.utf8))
    }

    /// The crypt(3) part of a stored hash, after its scheme prefix.
    private static func cryptString(_ stored: String) throws(DirectoryError) -> String {
        if stored.hasPrefix("{") {
            guard let close = stored.firstIndex(of: "}") else { throw .unsupportedHashScheme(stored) }
            let name = stored[...close].uppercased()
            let payload = String(stored[stored.index(after: close)...])
            guard let known = cryptSchemes.first(where: { $0.name == name }),
                  known.method.map({ payload.hasPrefix($0) }) ?? !payload.isEmpty else {
                throw .unsupportedHashScheme(String(stored[...close]))
            }
            return payload
        }
        guard stored.hasPrefix("$") else { throw .unsupportedHashScheme(String(stored.prefix(8))) }
        return stored
    }

    private static func check(_ password: [UInt8]) throws(DirectoryError) {
        if password.isEmpty { throw .invalidPassword(reason: "empty") }
        if password.contains(0) { throw .invalidPassword(reason: "contains a NUL byte") }
    }

    /// `crypt_r` with its 32 KiB work area on the heap, zeroed before use (as crypt_r
    /// requires) and after (it held password-derived state).
    private static func crypt(_ password: [UInt8], setting: String) -> String? {
        let size = MemoryLayout<crypt_data>.size
        let area = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<crypt_data>.alignment)
        memset(area, 0, size)
        defer {
            memset(area, 0, size)
            area.deallocate()
        }
        let data = area.bindMemory(to: crypt_data.self, capacity: 1)
        let phrase = password.map { CChar(bitPattern: $0) } + [0]
        return phrase.withUnsafeBufferPointer { phrase in
            crypt_r(phrase.baseAddress, setting, data).map { String(cString: $0) }
        }
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
