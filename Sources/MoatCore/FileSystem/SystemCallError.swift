#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: which one, on which path, and `errno`. Thrown by `DurableFile`;
/// each storage target wraps it in its own typed error at its API boundary.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call's name as in its man page: `open`, `fsync`, `rename`…
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// `open /var/x: No such file or directory (errno 2)`.
    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
