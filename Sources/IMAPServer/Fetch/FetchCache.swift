import IMAP
import Mailstore

/// ENVELOPE and BODYSTRUCTURE as the bytes the index keeps (`CachedMessageParts`), so a
/// second FETCH of them need not read the message file. The format starts with a version
/// byte; an entry of another version or a damaged one throws and is recomputed.
public enum FetchCache {
    /// The cache bytes of an ENVELOPE.
    public static func encode(_ envelope: Envelope) -> [UInt8] {
        var writer = CacheWriter()
        writer.write(number: UInt64(CacheTag.version))
        writer.write(envelope)
        return writer.bytes
    }

    /// Encodes the BODYSTRUCTURE form (with extension data); BODY is derived from it.
    public static func encode(_ structure: BodyStructure) -> [UInt8] {
        var writer = CacheWriter()
        writer.write(number: UInt64(CacheTag.version))
        writer.write(structure)
        return writer.bytes
    }

    /// The ENVELOPE `encode` wrote; throws for another version or damaged bytes.
    public static func decodeEnvelope(_ bytes: [UInt8]) throws(FetchCacheError) -> Envelope {
        try decode(bytes) { reader throws(FetchCacheError) in try reader.envelope() }
    }

    /// The BODYSTRUCTURE `encode` wrote (`withoutExtensionData` gives BODY); throws for
    /// another version or damaged bytes.
    public static func decodeBodyStructure(_ bytes: [UInt8]) throws(FetchCacheError) -> BodyStructure {
        try decode(bytes) { reader throws(FetchCacheError) in try reader.bodyStructure() }
    }

    /// Both values of `sections`, ready for `IndexedMailbox.setCachedParts`.
    public static func entry(for sections: MessageSections) -> CachedMessageParts {
        CachedMessageParts(envelope: encode(sections.envelope), bodyStructure: encode(sections.bodyStructure(extensible: true)))
    }

    private static func decode<T>(_ bytes: [UInt8], _ read: (inout CacheReader) throws(FetchCacheError) -> T)
        throws(FetchCacheError) -> T {
        var reader = CacheReader(bytes)
        let version = try reader.byte()
        guard version == CacheTag.version else { throw .unsupportedVersion(version) }
        let value = try read(&reader)
        guard reader.atEnd else { throw .malformed(offset: bytes.count, reason: "trailing bytes") }
        return value
    }
}
