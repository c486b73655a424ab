/// A cached ENVELOPE or BODYSTRUCTURE that cannot be read back (written by another
/// version, or damaged); the caller parses the message again and rewrites the cache.
public enum FetchCacheError: Error, Hashable, Sendable {
    case unsupportedVersion(UInt8)
    /// The bytes end early or hold an impossible value at `offset`.
    case malformed(offset: Int, reason: String)
}
