import MoatTestSupport
import XCTest
@testable import MIME

final class TransferEncodingTests: XCTestCase {
    func testBase64WithJunkAndWhitespace() {
        XCTAssertEqual(Base64Codec.decode("SGVs\r\nbG8g!!V29y*bGQ="), Array("Hello World".utf8))
    }

    func testBase64MissingPaddingAndConcatenation() {
        XCTAssertEqual(Base64Codec.decode("SGk"), Array("Hi".utf8))
        XCTAssertEqual(Base64Codec.decode("QQ==QQ=="), Array("AA".utf8))
        XCTAssertEqual(Base64Codec.decode("QUJD\nR"), Array("ABC".utf8))   // lone sextet dropped
        XCTAssertEqual(Base64Codec.decode(""), [])
    }

    func testBase64EncodeWrapsAt76() {
        let data = [UInt8](repeating: 0xAB, count: 100)
        let encoded = Base64Codec.encodeToString(data)
        let lines = encoded.components(separatedBy: "\r\n")
        XCTAssertEqual(lines.map(\.count), [76, 60])
        XCTAssertEqual(Base64Codec.decode(encoded), data)
        XCTAssertEqual(Base64Codec.encodeToString(Array("Ma".utf8), lineLength: 0), "TWE=")
    }

    func testBase64RoundTripAllLengths() {
        var rng = SplitMix64(seed: 7)
        for length in 0..<70 {
            let data = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            XCTAssertEqual(Base64Codec.decode(Base64Codec.encode(data, lineLength: 8)), data, "length \(length)")
        }
    }

    func testQuotedPrintableSoftBreaksAndEscapes() {
        let input = Array("caf=C3=A9 is=\r\n a soft=  \nbreak; bad =ZZ and =4 end=".utf8)
        XCTAssertEqual(String(decoding: QuotedPrintable.decode(input), as: UTF8.self),
                       "café is a softbreak; bad =ZZ and =4 end")
    }

    func testQuotedPrintableTrailingWhitespaceAndLowercaseHex() {
        XCTAssertEqual(QuotedPrintable.decode(Array("a  \r\nb=3d\tc".utf8)), Array("a\r\nb=\tc".utf8))
    }

    func testPartDecodesPerTransferEncoding() {
        let m = parse("""
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Transfer-Encoding: BASE64

        aGVs
        bG8=
        --b
        Content-Transfer-Encoding: Quoted-Printable

        soft=
        break
        --b
        Content-Transfer-Encoding: x-unknown

        raw=41
        --b--
        """)
        XCTAssertEqual(m.leaves.map(\.transferEncoding), ["base64", "quoted-printable", "x-unknown"])
        XCTAssertEqual(m.leaves.map { String(decoding: $0.decodedBody(), as: UTF8.self) }, ["hello", "softbreak", "raw=41"])
        XCTAssertEqual(m.root.transferEncoding, "7bit")
    }
}
