import Foundation
import IMAP

/// Messages for the FETCH tests: imaptest's mboxes, a sample of the spam corpora, and
/// hostile MIME written out here.
enum FetchSamples {
    static let imaptestDirectory = "/work/shared/imaptest/tests"
    static let corpusDirectory = "/work/shared/corpus"

    /// `text` with LF line ends turned into CRLF (what the index hands FETCH).
    static func crlf(_ text: String) -> [UInt8] { withCRLF(Array(text.utf8)) }

    static func withCRLF(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 16)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A && previous != 0x0D { output.append(0x0D) }
            output.append(byte)
            previous = byte
        }
        return output
    }

    /// The messages of an mbox file, split at `From ` lines (the separator line dropped).
    static func mboxMessages(_ bytes: [UInt8]) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        var current: [UInt8]?
        var lineStart = 0
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
            let line = bytes[lineStart..<lineEnd]
            if line.starts(with: Array("From ".utf8)) {
                if let message = current { messages.append(message) }
                current = []
            } else {
                current?.append(contentsOf: line)
            }
            lineStart = lineEnd
        }
        if let message = current { messages.append(message) }
        return messages
    }

    /// Every message of imaptest's `tests/*.mbox` (empty when they are not there).
    static func imaptestMessages() -> [[UInt8]] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: imaptestDirectory)) ?? []).filter { $0.hasSuffix(".mbox") }.sorted()
        return names.flatMap { name in
            mboxMessages((try? Data(contentsOf: URL(fileURLWithPath: "\(imaptestDirectory)/\(name)"))).map { Array($0) } ?? [])
        }
    }

    /// One message in `every` of each corpus folder, in name order.
    static func corpusSample(every stride: Int) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        let folders = ["ham", "spam", "hard_ham", "csdmc2010/ham", "csdmc2010/spam"]
        for folder in folders {
            let path = "\(corpusDirectory)/\(folder)"
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
            for (index, name) in names.enumerated() where index % stride == 0 {
                if let data = try? Data(contentsOf: URL(fileURLWithPath: "\(path)/\(name)")), data.count < 300_000 {
                    messages.append(Array(data))
                }
            }
        }
        return messages
    }

    /// Part numbers of a structure's parts, depth first, and whether each is a message/rfc822.
    static func partPaths(_ structure: BodyStructure) -> [([Int], Bool)] {
        leafParts(structure).map { path, part in
            if case .message = part.kind { return (path, true) }
            return (path, false)
        }
    }

    /// The single parts of a structure (message/rfc822 parts included) with their numbers.
    static func leafParts(_ structure: BodyStructure, prefix: [Int] = []) -> [([Int], SinglePartBody)] {
        switch structure {
        case .multipart(let multipart):
            return multipart.parts.enumerated().flatMap { index, part in leaves(part, path: prefix + [index + 1]) }
        case .singlePart:
            return leaves(structure, path: prefix + [1])
        }
    }

    private static func leaves(_ structure: BodyStructure, path: [Int]) -> [([Int], SinglePartBody)] {
        switch structure {
        case .multipart:
            return leafParts(structure, prefix: path)
        case .singlePart(let part):
            guard case .message(_, let inner, _) = part.kind else { return [(path, part)] }
            return [(path, part)] + leafParts(inner, prefix: path)
        }
    }

    struct Sample {
        let name: String
        let bytes: [UInt8]
        init(_ name: String, _ text: String) {
            self.name = name
            self.bytes = Array(text.utf8)
        }
        init(_ name: String, bytes: [UInt8]) {
            self.name = name
            self.bytes = bytes
        }
    }

    /// Hostile or odd messages: each names what it tries.
    static let brokenMIME: [Sample] = [
        Sample("multipart without boundary", """
            Content-Type: multipart/mixed

            --x
            Content-Type: text/plain

            a
            --x--

            """),
        Sample("boundary never found", """
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="never"

            --other
            hello

            """),
        Sample("unterminated multipart", """
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary=b1

            preamble
            --b1
            Content-Type: text/html; charset="utf-8"

            <p>x</p>
            --b1
            Content-Type: image/png; name="a.png"
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="a.png"

            iVBORw0KGgo=

            """),
        Sample("bad base64 and unknown encoding", """
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="q"

            --q
            Content-Type: application/octet-stream
            Content-Transfer-Encoding: base64

            !!!not base64@@@
            aGVsbG8=
            --q
            Content-Type: text/plain
            Content-Transfer-Encoding: x-uuencode

            begin 644 x
            --q--

            """),
        Sample("8-bit headers", bytes: Array("Subject: caf".utf8) + [0xE9, 0x20, 0x20, 0x09] + Array(" d\u{e9}j\u{e0}\nFrom: J\u{fc}rgen <j@example.org>\nTo: \"Ren\u{e9}e\" <r@example.org>\n\nbody\n".utf8)),
        Sample("NUL in subject", bytes: Array("Subject: a".utf8) + [0] + Array("b\nFrom: a@b\n\nx\n".utf8)),
        Sample("many parts", "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=m\n\n"
            + (1...300).map { "--m\nContent-Type: text/plain\n\npart \($0)\n" }.joined() + "--m--\n"),
        Sample("deeply nested messages", (0..<40).map { "Subject: level \($0)\nContent-Type: message/rfc822\n\n" }.joined()
            + "Subject: bottom\n\ninnermost\n"),
        Sample("messages nested past the cap", String(repeating: "Content-Type: message/rfc822\n\n", count: 105) + "Subject: bottom\n\nx\n"),
        Sample("multiparts nested past the cap",
               (0..<105).map { "Content-Type: multipart/mixed; boundary=b\($0)\n\n--b\($0)\n" }.joined() + "\nbottom\n"),
        Sample("parts past the cap", "Content-Type: multipart/mixed; boundary=m\n\n" + String(repeating: "--m\n\nx\n", count: 10_005) + "--m--\n"),
        Sample("long boundary", "Content-Type: multipart/mixed; boundary=\(String(repeating: "b", count: 90))\n\n"
               + "--\(String(repeating: "b", count: 85))\n\nshort\n--\(String(repeating: "b", count: 90))--\n"),
        Sample("boundary ending in dashes", """
            Content-Type: multipart/mixed; boundary="a"

            --a
            Content-Type: multipart/mixed; boundary="a--"

            --a--
            inner?
            --a----
            --a--

            """),
        Sample("RFC 2231 parameters", """
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="r"

            --r
            Content-Type: application/pdf; name*0="long "; name*1="name.pdf"; x*=utf-8''%E2%82%AC; y*0*=us-ascii'en'a%20; y*1="b%"
            Content-Disposition: attachment; filename*0="a"; filename*2="c"

            pdf
            --r
            Content-Type: text/plain; format=flowed; CHARSET=ISO-8859-1
            Content-ID: <id@x>
            Content-Description: a
             folded description
            Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
            Content-Language: en, de-CH
            Content-Location: http://example.org/x

            text
            --r--

            """),
        Sample("types without subtype and garbage", """
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="g"

            --g
            Content-Type: text

            a
            --g
            Content-Type: ;;;garbage

            b
            --g
            Content-Type: application/x-thing; ; =v; broken
            Content-Transfer-Encoding: 8bit junk

            c
            --g--

            """),
        Sample("no MIME-Version", """
            Content-Transfer-Encoding: base64
            Content-Disposition: inline

            aGVsbG8=

            """),
        Sample("part with only an encoding", """
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="e"

            --e
            Content-Transfer-Encoding: quoted-printable

            caf=C3=A9 =
            soft
            --e--

            """),
        Sample("odd addresses", """
            From: "Quoted \\"Name\\"" <a@example.org>, plain@example.org (Comment Name), <@r1,@r2:b@example.org>
            To: undisclosed-recipients:;, user, "unterminated <x@y>
            Cc: <>, Name <broken@, @nolocal.org, a@[127.0.0.1], "q"@example.org, a . b @ c . d
            Bcc: group: one@x.org, Two <two@x.org>; , after@x.org
            Reply-To:
            Sender: Sender <s@x.org>
            In-Reply-To:
             <folded@id>
            Message-ID:   <spaces@id>  
            Subject:\t  tabs  and   spaces  
            Date: Mon, 1 Jan 2024 00:00:00 +0000

            body

            """),
        Sample("headers only", "Subject: no body\nFrom: a@b.c"),
        Sample("empty", ""),
        Sample("no header", "\nbody only\n"),
        Sample("duplicate fields", """
            Subject: first
            Subject: second
            Message-ID: <1@x>
            Message-ID: <2@x>
            Content-Type: text/plain; charset=utf-8
            Content-Type: text/html
            Content-Language: fr

            x

            """),
        Sample("encoded message/rfc822", """
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="z"

            --z
            Content-Type: message/rfc822
            Content-Transfer-Encoding: base64

            U3ViamVjdDogaW5uZXIKCmJvZHkK
            --z
            Content-Type: message/rfc822

            Subject: inner
            From: i@x.org
            Content-Type: multipart/alternative; boundary=in

            --in
            Content-Type: text/plain

            plain
            --in
            Content-Type: text/html

            html
            --in--
            --z--

            """),
        Sample("digest", """
            MIME-Version: 1.0
            Content-Type: multipart/digest; boundary="d"

            --d

            Subject: one

            1
            --d
            Content-Type: text/plain

            two
            --d--

            """),
        Sample("boundary with trailing garbage and prefixes", """
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="ab"

            --ab
            Content-Type: multipart/mixed; boundary="abc"

            --abc
            inner
            --abc--
            --ab junk
            second
            --ab--

            """),
    ]
}
