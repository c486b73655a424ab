@testable import SMTP

/// A reply from wire text for client tests: lines separated by "\n", CRLFs added.
func replyFromWire(_ text: String) -> SMTPReply {
    var parser = SMTPReplyParser()
    parser.append(Array((text.split(separator: "\n").joined(separator: "\r\n") + "\r\n").utf8))
    return try! parser.next()!
}
