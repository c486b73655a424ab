import Foundation

/// Recognises executable content by its first bytes and decides whether a declared type
/// or file extension claims otherwise: the "invoice.pdf that is really a PE" trick.
enum ExecutableContent {
    enum Kind: String {
        case windowsPE = "PE"
        case elf = "ELF"
        case script = "script"
    }

    /// What a declaration says about executability.
    enum Claim {
        case executable
        case notExecutable
        /// Says nothing either way (`application/octet-stream`, no extension, ...).
        case unknown
    }

    /// The kind of executable `bytes` starts with, if any.
    static func kind(of bytes: [UInt8]) -> Kind? {
        if bytes.starts(with: [0x4D, 0x5A]) { return .windowsPE }  // "MZ", the DOS/PE header
        if bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]) { return .elf }  // "\x7fELF"
        // "#!/bin/sh" or "#! /usr/bin/env"; requiring the slash keeps "#!" prose out.
        if bytes.starts(with: [0x23, 0x21]) {
            let rest = bytes.dropFirst(2).drop(while: { $0 == 0x20 || $0 == 0x09 })
            if rest.first == UInt8(ascii: "/") { return .script }
        }
        return nil
    }

    /// What the declared media type (`image/jpeg; name=x`) says about `kind` content.
    static func claim(ofType declared: String, for kind: Kind) -> Claim {
        let type = declared.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        if type.isEmpty || genericTypes.contains(type) { return .unknown }
        if executableTypes.contains(type) { return .executable }
        // Scripts are text; a text/* label is honest for them, and so is any other
        // application/* code type (a corpus ham ships a Perl script as x-java-applet).
        // Only a document or media label is a lie about a script.
        if kind == .script {
            let document = type.hasPrefix("image/") || type.hasPrefix("audio/") || type.hasPrefix("video/")
                || ["application/pdf", "application/msword", "application/rtf"].contains(type)
                || type.hasPrefix("application/vnd.")
            return document ? .notExecutable : .unknown
        }
        return .notExecutable
    }

    /// What the file name's extension says about `kind` content.
    static func claim(ofName name: String, for kind: Kind) -> Claim {
        let trimmed = name.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: ".")))
        guard let dot = trimmed.lastIndex(of: "."), !trimmed[trimmed.index(after: dot)...].contains("/") else {
            return .unknown
        }
        let ext = trimmed[trimmed.index(after: dot)...].lowercased()
        if ext.isEmpty { return .unknown }
        if executableExtensions.contains(ext) { return .executable }
        if kind == .script && textExtensions.contains(ext) { return .unknown }
        return .notExecutable
    }

    /// Types that carry no claim: mailers use them for "some file".
    private static let genericTypes: Set<String> = [
        "application/octet-stream", "application/x-unknown", "application/unknown", "binary/octet-stream",
        "application/binary", "application/x-binary", "application/force-download", "application/download",
    ]

    private static let executableTypes: Set<String> = [
        "application/x-msdownload", "application/x-msdos-program", "application/x-dosexec",
        "application/x-ms-dos-executable", "application/vnd.microsoft.portable-executable",
        "application/x-executable", "application/x-elf", "application/x-sharedlib", "application/x-pie-executable",
        "application/x-winexe", "application/exe", "application/x-exe", "application/x-sh",
        "application/x-shellscript", "application/x-csh", "application/x-python", "application/x-perl",
        "text/x-sh", "text/x-shellscript", "text/x-python", "text/x-script.python", "text/x-perl",
    ]

    private static let executableExtensions: Set<String> = [
        "exe", "dll", "com", "scr", "pif", "cpl", "sys", "ocx", "drv", "efi", "mui", "ax",
        "bin", "elf", "so", "out", "run", "appimage", "ko",
        "sh", "bash", "csh", "ksh", "zsh", "py", "pl", "rb", "php", "cgi", "command",
    ]

    /// Plain-text names under which shipping a script is honest.
    private static let textExtensions: Set<String> = ["txt", "text", "log", "md", "conf", "cfg", "ini", "diff", "patch"]
}
