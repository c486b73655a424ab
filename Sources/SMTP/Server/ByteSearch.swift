#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Array where Element == UInt8 {
    /// The first index of `byte` within `range`, found with memchr: the generic
    /// `firstIndex(of:)` goes byte by byte through slice indexing, which is most of the
    /// time a debug build spends receiving a 10 MB message.
    func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        guard !range.isEmpty else { return nil }
        return withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress,
                  let hit = memchr(base + range.lowerBound, Int32(byte), range.count) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }
}
