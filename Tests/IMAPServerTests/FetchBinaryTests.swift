import IMAP
import IMAPServer
import XCTest

/// BINARY and BINARY.SIZE (RFC 3516). The two multipart messages and their expected
/// answers come from imaptest's `fetch-binary-mime-base64` and `fetch-binary-mime-qp`
/// (Dovecot's imaptest, MIT licence, see Tests/IMAPTests/Fixtures/imaptest-COPYING.MIT).
final class FetchBinaryTests: XCTestCase {
    private static let base64Message = FetchSamples.crlf("""
        From: user@domain.org
        Date: Sat, 24 Mar 2007 23:00:00 +0200
        Mime-Version: 1.0
        Content-Type: multipart/mixed; boundary="foo
         bar"

        Root MIME prologue

        --foo bar
        Content-Type: text/x-myown; charset=us-ascii
        Content-Transfer-Encoding: base64


        aGVs
        bG8gd29y
        bGQ=

        --foo bar
        Content-Type: text/x-myown; charset=us-ascii
        Content-Transfer-Encoding: base64

          aGVs    
         bG8g  
           d29y  \t 
            bGQ= 


        --foo bar
        Content-Type: text/x-myown; charset=us-ascii
        Content-Transfer-Encoding: base64

        aGVsbG8g
        dG8geW91IHRv
        bw==

        --foo bar
        Content-Type: text/x-myown; charset=us-ascii
        Content-Transfer-Encoding: base64

        aGVsbG8gdG8gZXZlcnlvbmUh
        --foo bar
        Content-Type: text/x-myown; charset=us-ascii
        Content-Transfer-Encoding: base64

        YWJjZGVmZw1oaWprbA0KbW5vCnBxcnN0dXZxeHl6

        --foo bar--
        Root MIME epilogue

        """)

    private static let quotedPrintableMessage = FetchSamples.crlf("""
        From: user@domain.org
        Mime-Version: 1.0
        Content-Type: multipart/mixed; boundary="foo
         bar"

        Root MIME prologue

        --foo bar
        Content-Type: text/x-myown; charset=us-ascii
        Content-Transfer-Encoding: quoted-printable

        hello  
        bar=

        foo\t=
        bar
        foo\t \t= 
        =62
        foo = \t
        bar
        foo =
        =62
        foo  
        bar=

        foo_bar

        --foo bar--
        Root MIME epilogue

        """)

    func testBase64PartsDecodeWhateverTheirLayout() throws {
        let sections = MessageSections(Self.base64Message)
        XCTAssertEqual(try sections.binary(part: [1]), Array("hello world".utf8))
        XCTAssertEqual(try sections.binary(part: [2]), Array("hello world".utf8))
        XCTAssertEqual(try sections.binary(part: [3]), Array("hello to you too".utf8))
        XCTAssertEqual(try sections.binary(part: [4]), Array("hello to everyone!".utf8))
        XCTAssertEqual(try sections.binary(part: [5]), Array("abcdefg\rhijkl\r\nmno\npqrstuvqxyz".utf8))
        XCTAssertEqual(try [1, 2, 3, 4, 5].map { try sections.binarySize(part: [$0]) }, [11, 11, 16, 18, 30])
    }

    func testPartialBinary() throws {
        let data = try MessageSections(Self.base64Message).binary(part: [5])
        XCTAssertEqual(Partial(offset: 0, length: 7).slice(data), Array("abcdefg".utf8))
        XCTAssertEqual(Partial(offset: 10, length: 10).slice(data), Array("jkl\r\nmno\np".utf8))
        XCTAssertEqual(Partial(offset: 15, length: 100).slice(data), Array("mno\npqrstuvqxyz".utf8))
        XCTAssertEqual(Partial(offset: 30, length: 5).slice(data), [])
        XCTAssertEqual(Partial(offset: 4_000_000_000, length: 4_000_000_000).slice(data), [])
    }

    /// Trailing blanks dropped, `=` soft breaks joined, `=XX` decoded, hard breaks CRLF.
    func testQuotedPrintable() throws {
        let data = try MessageSections(Self.quotedPrintableMessage).binary(part: [1])
        XCTAssertEqual(String(decoding: data, as: UTF8.self),
                       "hello\r\nbar\r\nfoo\tbar\r\nfoo\t \tb\r\nfoo bar\r\nfoo b\r\nfoo\r\nbar\r\nfoo_bar\r\n")
        XCTAssertEqual(data.count, 65)
    }

    /// imaptest's fetch-binary-mime: nothing encoded, so BINARY[] is the message itself and a
    /// message/rfc822 part is its enclosed message.
    func testUnencodedPartsPassThrough() throws {
        let message = FetchSamples.crlf("""
            Mime-Version: 1.0
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain

            hello
            --b
            Content-Type: message/rfc822

            Subject: inner

            body
            --b--

            """)
        let sections = MessageSections(message)
        XCTAssertEqual(try sections.binary(part: []), message)
        XCTAssertEqual(try sections.binary(part: [2]), FetchSamples.crlf("Subject: inner\n\nbody"))
        XCTAssertEqual(try sections.binarySize(part: [1]), 5)
    }

    /// Inside a message/rfc822 part, encoded parts are decoded and relabelled, as Dovecot does.
    func testEncodedPartsInsideAMessageAreDecodedAndRelabelled() throws {
        let sections = MessageSections(FetchSamples.crlf("""
            Content-Type: message/rfc822

            Content-Type: multipart/mixed; boundary=in

            --in
            Content-Type: text/plain
            Content-Transfer-Encoding: base64

            aGVsbG8=
            --in--

            """))
        XCTAssertEqual(String(decoding: try sections.binary(part: [1]), as: UTF8.self), """
            Content-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\nContent-Type: text/plain\r\n\
            Content-Transfer-Encoding: binary\r\n\r\nhello\r\n--in--\r\n
            """)
    }

    func testUnknownEncodingIsRefusedWithUnknownCTE() {
        let sections = MessageSections(FetchSamples.crlf("Content-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n"))
        XCTAssertThrowsError(try sections.binary(part: [1])) { error in
            XCTAssertEqual(error as? BinaryFetchError, .unknownTransferEncoding(part: [1], encoding: "x-uuencode"))
            XCTAssertEqual((error as? BinaryFetchError)?.responseCode, .unknownCTE)
        }
        // Junk after the token makes it unknown too; BINARY[] fails when any part inside does.
        let junk = MessageSections(FetchSamples.crlf("""
            Content-Type: multipart/mixed; boundary=j

            --j
            Content-Transfer-Encoding: 8bit junk

            c
            --j--

            """))
        XCTAssertThrowsError(try junk.binary(part: []))
        XCTAssertThrowsError(try junk.binary(part: [1]))
    }

    /// Bad base64 or quoted-printable is an error ([PARSE]), not a guess.
    func testUndecodableDataIsRefused() {
        for body in ["!!!not base64@@@\naGVsbG8=", "aGVsbG8=aGk=", "aGVsbG8==", "aGk=\n-- \nsig"] {
            let sections = MessageSections(FetchSamples.crlf("Content-Transfer-Encoding: base64\n\n\(body)\n"))
            XCTAssertThrowsError(try sections.binary(part: [1]), body) { error in
                XCTAssertEqual((error as? BinaryFetchError)?.responseCode, .parse)
            }
        }
        for body in ["a=ZZb", "a=4", "a=  x"] {
            let sections = MessageSections(FetchSamples.crlf("Content-Transfer-Encoding: quoted-printable\n\n\(body)\n"))
            XCTAssertThrowsError(try sections.binary(part: [1]), body)
        }
    }

    /// Base64 cut short without padding decodes as far as it goes (Dovecot 2.3 drops the
    /// connection there; refusing a common defect outright would help nobody).
    func testUnpaddedBase64DecodesWhatIsThere() throws {
        let sections = MessageSections(FetchSamples.crlf("Content-Transfer-Encoding: base64\n\naGVsbG8\n"))
        XCTAssertEqual(try sections.binary(part: [1]), Array("hello".utf8))
    }

    /// NUL is legal in BINARY data (sent as literal8), unlike in BODY.
    func testBinaryKeepsNUL() throws {
        let sections = MessageSections(FetchSamples.crlf("Content-Transfer-Encoding: base64\n\nAAEC\n"))
        XCTAssertEqual(try sections.binary(part: [1]), [0, 1, 2])
    }
}
