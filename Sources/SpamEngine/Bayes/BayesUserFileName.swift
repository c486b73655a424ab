/// The file name of one user's token database in `[bayes]`'s `bayes-users` directory: the
/// lowercased address itself when it is plainly `local@domain` in safe characters (so an
/// admin finds `alice@example.com.sqlite`), else `sha1-<hex of the lowercased name>`. A
/// name never leaves the directory: no `/`, no leading dot, no `..`, bounded length; the
/// two forms never collide (a hashed name has no `@`).
public enum BayesUserFileName {
    static let maxReadableLength = 128

    /// The file name (with `.sqlite`) for `user`; nil for an empty name.
    public static func of(_ user: String) -> String? {
        let name = user.lowercased()
        guard !name.isEmpty else { return nil }
        if isReadable(name) { return name + ".sqlite" }
        return "sha1-" + SHA1.hexDigest(Array(name.utf8)) + ".sqlite"
    }

    static func isReadable(_ name: String) -> Bool {
        guard name.utf8.count <= maxReadableLength, !name.contains("..") else { return false }
        let parts = name.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
              !local.isEmpty, !domain.isEmpty, local.first != ".", domain.first != "." else { return false }
        let localSafe = local.utf8.allSatisfy { isAlnum($0) || "._+=-".utf8.contains($0) }
        let domainSafe = domain.utf8.allSatisfy { isAlnum($0) || ".-".utf8.contains($0) }
        return localSafe && domainSafe
    }

    private static func isAlnum(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
}
