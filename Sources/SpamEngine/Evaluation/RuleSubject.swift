import MoatCore

/// The texts rules are matched against, as SpamAssassin presents them. `SAMessage`
/// (Message/) is the real one; the protocol keeps the evaluator free of how it is built.
public protocol RuleSubject {
    /// SpamAssassin's `get()`: nil when the header is absent.
    func header(_ selector: HeaderSelector) -> [UInt8]?
    /// Rendered body paragraphs, Subject first (`body` rules).
    var bodyParagraphs: [[UInt8]] { get }
    /// Decoded, unrendered body lines (`rawbody` rules).
    var rawbodyLines: [[UInt8]] { get }
    /// URIs found in the message, canonicalised (`uri` rules).
    var uris: [[UInt8]] { get }
    /// The whole message (`full` rules).
    var full: [UInt8] { get }
    /// One header's values across every MIME part (`mimeheader` rules).
    func mimeHeaders(_ selector: HeaderSelector) -> [[UInt8]]
}
