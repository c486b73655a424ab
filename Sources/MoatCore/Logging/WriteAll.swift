#if canImport(Glibc)
import Glibc
#endif

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR; the errno of a failure.
func writeAll(_ bytes: [UInt8], to fd: Int32) -> Int32? {
    var rest = bytes[...]
    while !rest.isEmpty {
        let n = rest.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return n < 0 ? errno : EIO }
        rest = rest.dropFirst(n)
    }
    return nil
}
