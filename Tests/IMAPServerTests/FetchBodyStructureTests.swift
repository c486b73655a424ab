import IMAP
import IMAPServer
import XCTest

/// BODY and BODYSTRUCTURE: Dovecot's defaults and answers (each expected string is what
/// Dovecot 2.3.19 answered for the same message; imaptest's `fetch-bodystructure` is the
/// first case).
final class FetchBodyStructureTests: XCTestCase {
    private func structure(_ message: String, extensible: Bool = true) -> String {
        let sections = MessageSections(FetchSamples.crlf(message))
        let attribute: MessageAttribute = extensible
            ? .bodyStructure(sections.bodyStructure(extensible: true)) : .body(sections.bodyStructure(extensible: false))
        return FetchResponseTree.items(of: [attribute])[extensible ? "BODYSTRUCTURE" : "BODY"]?.description ?? "-"
    }

    func testTypeAsWrittenAndParametersInOrder() {
        let message = """
            Mime-Version: 1.0
            Content-Type: multipart/mixed; boundary="foo
             bar"

            --foo bar
            Content-Type: text/x-myown; charset=us-ascii

            hello

            --foo bar--

            """
        XCTAssertEqual(structure(message, extensible: false), #"(("text" "x-myown" ("charset" "us-ascii") NIL NIL "7bit" 7 1) "mixed")"#)
        XCTAssertEqual(structure(message), #"(("text" "x-myown" ("charset" "us-ascii") NIL NIL "7bit" 7 1 NIL NIL NIL NIL) "mixed" ("boundary" "foo bar") NIL NIL NIL)"#)
    }

    /// No Content-Type: text/plain; charset us-ascii added to text parts; octets with CRLF.
    func testDefaults() {
        XCTAssertEqual(structure("Subject: x\n\nbody\n\n"), #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 8 2 NIL NIL NIL NIL)"#)
        XCTAssertEqual(structure("Mime-Version: 1.0\nContent-Type: text/html; format=flowed\n\nx"),
                       #"("text" "html" ("format" "flowed" "charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#)
        XCTAssertEqual(structure("Content-Type: image/png\nContent-Transfer-Encoding: BASE64\n\naGk=\n"),
                       #"("image" "png" NIL NIL NIL "BASE64" 6 NIL NIL NIL NIL)"#)
    }

    /// Without MIME-Version or Content-Type, Content-* fields of a message header are ignored.
    func testContentFieldsNeedAMIMEHeader() {
        XCTAssertEqual(structure("Content-Transfer-Encoding: base64\nContent-Disposition: inline\n\naGk=\n"),
                       #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL)"#)
    }

    /// Every extension field, raw: folded description unfolded, languages as a list.
    func testExtensionData() {
        XCTAssertEqual(structure("""
            Mime-Version: 1.0
            Content-Type: application/pdf; name="a.pdf"
            Content-ID: <id@x>
            Content-Description: a
             folded description
            Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
            Content-Disposition: attachment; filename="a.pdf"
            Content-Language: en, de-CH
            Content-Location: http://example.org/x

            %PDF
            """), #"("application" "pdf" ("name" "a.pdf") "<id@x>" "a folded description" "7bit" 4 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("attachment" ("filename" "a.pdf")) ("en" "de-CH") "http://example.org/x")"#)
    }

    /// RFC 2231 sections joined, as Dovecot does, values left encoded.
    func testRFC2231Parameters() {
        XCTAssertEqual(structure("Mime-Version: 1.0\nContent-Type: application/x; name*0=\"long \"; name*1=\"name\"; t*0*=us-ascii'en'a%20; t*1=\"b%\"\n\nx"),
                       #"("application" "x" ("name" "long name" "t*" "us-ascii'en'a%20b%25") NIL NIL "7bit" 1 NIL NIL NIL NIL)"#)
    }

    /// A multipart whose boundary never appears (or that has none) holds one empty text part.
    func testMultipartWithoutParts() {
        let empty = #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)"#
        XCTAssertEqual(structure("Mime-Version: 1.0\nContent-Type: multipart/mixed; boundary=never\n\n--other\nhi\n"),
                       "(\(empty) \"mixed\" (\"boundary\" \"never\") NIL NIL NIL)")
        XCTAssertEqual(structure("Content-Type: multipart/mixed\n\n--x\n\na\n--x--\n"), "(\(empty) \"mixed\" NIL NIL NIL NIL)")
    }

    /// message/rfc822: envelope, structure and line count of the enclosed message.
    func testEnclosedMessage() {
        XCTAssertEqual(structure("""
            Mime-Version: 1.0
            Content-Type: multipart/mixed; boundary="z"

            --z
            Content-Type: message/rfc822

            Subject: inner

            body
            --z--

            """, extensible: false),
            #"(("message" "rfc822" NIL NIL NIL "7bit" 22 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0) 2) "mixed")"#)
    }

    /// The header's case, always (Dovecot's first answer; later ones may come from its
    /// cache in lowercase).
    func testPlainTextKeepsTheHeadersCase() {
        let message = "Content-Type: TEXT/PLAIN; charset=US-ASCII\n\nx\n"
        XCTAssertEqual(structure(message, extensible: false), #"("TEXT" "PLAIN" ("charset" "US-ASCII") NIL NIL "7bit" 3 1)"#)
        XCTAssertEqual(structure(message), #"("TEXT" "PLAIN" ("charset" "US-ASCII") NIL NIL "7bit" 3 1 NIL NIL NIL NIL)"#)
    }

    /// Repeated fields: the first Content-ID, but the first readable transfer encoding and
    /// language and the first disposition with parameters (Dovecot's answer:
    /// `"<a>" NIL "base64" 6 1 NIL ("attachment" ("filename" "a")) ("fr") NIL`).
    func testRepeatedContentFields() throws {
        let sections = MessageSections(FetchSamples.crlf("""
            Mime-Version: 1.0
            Content-Type: text/plain
            Content-Transfer-Encoding: 8bit junk
            Content-Transfer-Encoding: base64
            Content-Language: ,
            Content-Language: fr
            Content-Disposition: inline
            Content-Disposition: attachment; filename=a
            Content-ID: <a>
            Content-ID: <b>

            aGk=

            """))
        guard case .singlePart(let part) = sections.bodyStructure(extensible: true) else { return XCTFail("not a single part") }
        XCTAssertEqual(part.fields.id, Array("<a>".utf8))
        XCTAssertEqual(part.fields.encoding, "base64")
        XCTAssertEqual(part.extensionData?.language, [Array("fr".utf8)])
        XCTAssertEqual(part.extensionData?.disposition, BodyDisposition(type: Array("attachment".utf8), parameters: [BodyParameter("filename", "a")]))
    }
}
