/// What SpamAssassin's HTML eval functions read about an HTML part: the fields of
/// `Mail::SpamAssassin::HTML`'s `{results}` hash (4.0.1), plus the end-of-document values
/// `Message::Node::rendered` adds (`html_length`, `non_space_len`, `ratio`).
///
/// Ratios are nil where SpamAssassin leaves the key unset (no tags seen).
public struct HTMLSummary: Sendable, Equatable {
    /// `html`: an HTML part was parsed (HTML_MESSAGE).
    public var isHTML = false
    /// `inside`: open count per tag name (lowercase) at the end of the document; every tag
    /// seen has a key (html_tag_exists, html_tag_balance read it).
    public var inside: [String: Int] = [:]
    /// Tags seen (start and end), elements among them (HTML 4 element names).
    public var tags = 0
    public var elements = 0
    /// Tags/elements counted only when not currently open (`tags_seen`, `elements_seen`).
    public var tagsSeen = 0
    public var elementsSeen = 0
    /// End tags without a matching open tag.
    public var closedExtra = 0
    public var closedHTML = false
    public var closedBody = false
    /// Total `<img width height>` area (html_range image_area).
    public var imageArea = 0
    /// Input length in characters (`length`).
    public var length = 0
    public var minSize = 3
    public var maxSize = 3
    /// Comments, `<script>` texts and `<title>` texts, decoded, UTF-8.
    public var comments: [[UInt8]] = []
    public var scripts: [[UInt8]] = []
    public var titles: [[UInt8]] = []
    /// Anchor texts in document order (`anchor`).
    public var anchors: [[UInt8]] = []
    /// `backhair_count`: distinct word-split patterns across text chunks.
    public var backhairCount: Int?
    public var badTagRatio: Double?
    public var nonElementRatio: Double?
    public var obfuscationRatio: Double?
    public var closedExtraRatio: Double?
    /// Flags set by the renderer (`font_low_contrast`, `font_invalid_color`, `font_face_bad`,
    /// `form_action_mailto`, `embeds`).
    public var fontLowContrast = false
    public var fontInvalidColor = false
    public var fontFaceBad = false
    public var formActionMailto = false
    public var embeds = false
    /// Charsets declared by `<meta http-equiv=Content-Type>` (space separated in SA).
    public var metaCharsets: [String] = []
    /// URIs found in tags, as SpamAssassin lists them (already resolved against `<base>`),
    /// with the tag names that referenced each, in first-seen order.
    public var uris: [HTMLURI] = []
    /// Rendered text length in characters (`html_length`), its non-whitespace part
    /// (`non_space_len`) and `(input bytes - html_length) / input bytes` (`ratio`).
    public var htmlLength = 0
    public var nonSpaceLength = 0
    public var ratio: Double?

    public init() {}

    /// Tag names seen, sorted.
    public var tagNames: [String] { inside.keys.sorted() }
}

/// A URI referenced from an HTML tag attribute.
public struct HTMLURI: Sendable, Equatable {
    /// The URI as SpamAssassin keys it (trimmed, resolved against `<base href>`), UTF-8.
    public var uri: [UInt8]
    /// Lowercase tag names that referenced it (`a`, `img`, `form`, …).
    public var types: Set<String>
    /// Anchor texts of `<a>` elements linking to it.
    public var anchorTexts: [[UInt8]]
}

/// The result of rendering one HTML part.
public struct HTMLRendering: Sendable {
    /// All rendered text (visible and invisible, as SpamAssassin's body rules see it), UTF-8.
    public var text: [UInt8]
    /// Only the text SpamAssassin considers visible / invisible (for Bayes-style callers).
    public var visibleText: [UInt8]
    public var invisibleText: [UInt8]
    public var summary: HTMLSummary
}
