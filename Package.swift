// swift-tools-version:6.1
import PackageDescription

/// Our own targets build with warnings as errors; dependencies keep their own settings.
let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

let package = Package(
    name: "Moat",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "moat", targets: ["moat"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .target(
            name: "MoatCore", dependencies: [.product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .target(name: "MIME", dependencies: ["MoatCore"], swiftSettings: strict),
        // Generated messages (RFC 3464 DSNs, notices) shared by Filter and Queue.
        .target(name: "Notices", dependencies: ["MoatCore", "MIME"], swiftSettings: strict),
        .target(
            name: "Queue",
            dependencies: ["MoatCore", "MIME", "Notices", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // NIO pieces every listener shares: admission, STARTTLS switch, TLS facts, stalled writers.
        .target(
            name: "NetworkService",
            dependencies: [
                "MoatCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        .target(
            name: "SMTP",
            dependencies: [
                "MoatCore", "MIME", "NetworkService",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .systemLibrary(name: "CClamAV", pkgConfig: "libclamav", providers: [.apt(["libclamav-dev"])]),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        .target(name: "PCRE", dependencies: ["CPCRE2"], swiftSettings: strict),
        .target(
            name: "Scanning",
            dependencies: ["MoatCore", "CClamAV", "PCRE", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .systemLibrary(name: "CHyperscan", pkgConfig: "libhs", providers: [.apt(["libhyperscan-dev"])]),
        .systemLibrary(name: "CUnbound", pkgConfig: "libunbound", providers: [.apt(["libunbound-dev"])]),
        .target(
            name: "DNS",
            dependencies: ["MoatCore", "CUnbound", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(
            name: "SpamEngine",
            dependencies: [
                "MoatCore", "MIME", "PCRE", "CHyperscan", "DNS",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(name: "Policy", dependencies: ["MoatCore", "DNS"], swiftSettings: strict),
        .target(
            name: "Quarantine",
            dependencies: ["MoatCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .target(
            name: "Mailstore", dependencies: ["MoatCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        // Logins for IMAP and POP3: SASL PLAIN, Dovecot's auth penalty, per-user session limits.
        .target(name: "MailAccess", dependencies: ["MoatCore", "Directory"], swiftSettings: strict),
        .target(
            name: "POP3",
            dependencies: [
                "MoatCore", "MailAccess", "Directory", "Mailstore", "NetworkService",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // Sans-I/O IMAP codec: command parser and response encoder (no storage, no sockets).
        .target(name: "IMAP", dependencies: ["MoatCore"], swiftSettings: strict),
        // The IMAP server over the codec: sessions, one file per command, FETCH data, SEARCH.
        .target(
            name: "IMAPServer",
            dependencies: [
                "IMAP", "MIME", "Mailstore", "MailAccess", "Directory", "MoatCore", "NetworkService",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .systemLibrary(name: "CCrypt", pkgConfig: "libcrypt", providers: [.apt(["libcrypt-dev"])]),
        .target(
            name: "Directory",
            dependencies: ["MoatCore", "CCrypt", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        // Queued mail out: local Maildirs of the virtual domains, or SMTP to the next hop.
        .target(
            name: "Delivery",
            dependencies: [
                "MoatCore", "Queue", "Directory", "Mailstore", "DNS", "SMTP",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "Filter",
            dependencies: [
                "MoatCore", "MIME", "Notices", "SMTP", "Scanning", "SpamEngine", "Quarantine",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The inbound MX: policy, Received header, in-dialogue filtering, queueing.
        .target(
            name: "MX",
            dependencies: [
                "MoatCore", "SMTP", "Policy", "DNS", "Directory", "Mailstore", "Queue", "Filter", "Notices",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "moat",
            dependencies: [
                "MoatCore", "MIME", "SMTP", "Scanning", "SpamEngine", "Quarantine", "Filter", "DNS", "Directory", "Queue",
                "Delivery", "MX", "Policy", "Mailstore", "NetworkService", "MailAccess", "POP3", "IMAPServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict, plugins: ["BuildStamp"]),
        // `git describe` baked into `moat --version`.
        .plugin(name: "BuildStamp", capability: .buildTool()),
        .executableTarget(
            name: "spam-bench", dependencies: ["SpamEngine", "MIME"], path: "Benchmarks/SpamBench",
            swiftSettings: strict),
        .testTarget(
            name: "MoatCoreTests", dependencies: ["MoatCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .testTarget(name: "MIMETests", dependencies: ["MIME", "MoatTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "IMAPServerTests",
            dependencies: ["IMAPServer", "IMAP", "MIME", "Mailstore", "MailAccess", "Directory", "MoatCore", "MoatTestSupport"],
            swiftSettings: strict),
        .testTarget(name: "IMAPTests", dependencies: ["IMAP", "MoatCore"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "SMTPTests", dependencies: ["SMTP", "NetworkService", "MoatTestSupport"], swiftSettings: strict),
        .testTarget(name: "ScanningTests", dependencies: ["Scanning"], swiftSettings: strict),
        .testTarget(name: "PCRETests", dependencies: ["PCRE"], swiftSettings: strict),
        .testTarget(
            name: "SpamEngineTests", dependencies: ["SpamEngine", "MIME", "MoatCore", "DNS", "MoatTestSupport"],
            exclude: ["Fixtures"], swiftSettings: strict),
        // Test helpers shared by several test targets (a real dnsmasq on loopback).
        .target(name: "MoatTestSupport", dependencies: ["MoatCore"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "DNSTests", dependencies: ["DNS", "MoatCore", "MoatTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "PolicyTests", dependencies: ["Policy", "DNS", "MoatCore", "MoatTestSupport"], swiftSettings: strict),
        .testTarget(name: "QuarantineTests", dependencies: ["Quarantine"], swiftSettings: strict),
        .testTarget(name: "QueueTests", dependencies: ["Queue", "MoatCore", "MIME"], swiftSettings: strict),
        .testTarget(name: "MailstoreTests", dependencies: ["Mailstore", "MoatCore", "MoatTestSupport"], swiftSettings: strict),
        .testTarget(name: "DirectoryTests", dependencies: ["Directory", "MoatCore"], swiftSettings: strict),
        .testTarget(name: "MailAccessTests", dependencies: ["MailAccess", "Directory", "MoatCore"], swiftSettings: strict),
        .testTarget(name: "NetworkServiceTests", dependencies: ["NetworkService"], swiftSettings: strict),
        .testTarget(name: "POP3Tests", dependencies: ["POP3", "MailAccess", "MoatCore"], swiftSettings: strict),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "Queue", "Directory", "Mailstore", "DNS", "SMTP", "MoatCore", "MoatTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "FilterTests",
            dependencies: [
                "Filter", "MoatCore", "MIME", "Notices", "SMTP", "Scanning", "SpamEngine", "Quarantine",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
    ]
)
