import Foundation
import NIOSSL
#if canImport(Glibc)
import Glibc
#endif

/// A self-signed certificate for the sink's STARTTLS, made by the openssl CLI into a
/// temporary directory once per test process (an EC key: fast to generate).
enum TestCertificate {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let serverContext: Result<NIOSSLContext, Failure> = {
        let directory = NSTemporaryDirectory() + "moat-delivery-tls-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let status = run([
                "/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem", "-days", "2",
                "-subj", "/CN=sink.moattest",
            ])
            guard status == 0 else { return .failure(Failure(description: "openssl req exited with \(status)")) }
            let certificates = try NIOSSLCertificate.fromPEMFile(directory + "/cert.pem")
            let key = try NIOSSLPrivateKey(file: directory + "/key.pem", format: .pem)
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
            return .success(try NIOSSLContext(configuration: configuration))
        } catch {
            return .failure(Failure(description: "cannot make the test certificate: \(error)"))
        }
    }()

    /// posix_spawn + waitpid, output discarded. Not Foundation's `Process`: its
    /// `waitUntilExit` hung here when the child exited within milliseconds.
    private static func run(_ arguments: [String]) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in [Int32(0), 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}
