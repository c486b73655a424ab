/// What one scan found: the viruses, the files the scanner unpacked from the item (for
/// banned-name checks), and the parts it could not look into.
public struct ScanResult: Sendable, Equatable {
    /// Virus names; empty when clean. Never holds the "could not look inside" heuristics
    /// (`Heuristics.Encrypted.*`, `Heuristics.Limits.Exceeded.*`): those are `undecipherable`.
    public var virusNames: [String]
    /// Every file unpacked from the item, depth first; nil when the scanner cannot tell
    /// (clamd answers with a verdict only).
    public var containedFiles: [ContainedFile]?
    /// Parts of the item that were not (fully) unpacked, and why.
    public var undecipherable: [Undecipherable]

    public init(virusNames: [String] = [], containedFiles: [ContainedFile]? = nil, undecipherable: [Undecipherable] = []) {
        self.virusNames = virusNames
        self.containedFiles = containedFiles
        self.undecipherable = undecipherable
    }
}

/// One file found inside a scanned item (an archive member, a decompressed payload, an
/// embedded object), as libclamav's file-inspection callback reports it.
public struct ContainedFile: Sendable, Equatable {
    /// Names from the outermost container member down to this file; the scanned item
    /// itself is not included. A layer without a name (what a container does not name,
    /// e.g. a tar inside a gzip without a usable name) is nil.
    public var path: [String?]
    /// libclamav's detected type, e.g. `CL_TYPE_MSEXE`, `CL_TYPE_ZIP`.
    public var type: String
    /// Size in bytes as unpacked (libclamav trims members at MaxFileSize).
    public var size: Int

    public init(path: [String?], type: String, size: Int) {
        self.path = path
        self.type = type
        self.size = size
    }

    /// 1 for a member of the scanned item, 2 for a member of a member, ...
    public var depth: Int { path.count }
    public var name: String? { path.last ?? nil }
}

/// A part of a scanned item that could not be looked into: encrypted, cut short by a
/// limit, or a container the scanner could not parse. amavisd-new calls such content
/// "undecipherable" (`$banned_namepath` rule `^UNDECIPHERABLE$`).
public struct Undecipherable: Sendable, Equatable {
    /// Why, e.g. `Heuristics.Encrypted.Zip`, `exceeds MaxFileSize (26214400 bytes)`,
    /// `CL_TYPE_RAR not unpacked`.
    public var reason: String
    /// Where, as in `ContainedFile.path`; empty for the scanned item itself.
    public var path: [String?]

    public init(reason: String, path: [String?] = []) {
        self.reason = reason
        self.path = path
    }
}

/// How a path inside an attachment is written in reasons and log lines:
/// `outer.zip | inner.tar | x.exe`, amavisd-new's `|`-separated part path; an item
/// without a name is `archive`, a member without one `(unnamed)`.
public enum ArchivePath {
    public static func display(item: String?, path: [String?]) -> String {
        ([item ?? "archive"] + path.map { $0 ?? "(unnamed)" }).joined(separator: " | ")
    }
}
