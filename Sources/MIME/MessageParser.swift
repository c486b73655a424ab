/// Builds the MIME tree of a message in one pass over its bytes.
///
/// Recursion depth is bounded by ``MIMELimits/maxDepth`` (itself clamped), the number of
/// parts by ``MIMELimits/maxParts``; each nesting level scans its own body once, so the
/// total work is O(bytes × depth).
struct MessageParser {
    let bytes: [UInt8]
    let limits: MIMELimits
    var defects = DefectLog()
    private(set) var partCount = 0

    init(bytes: [UInt8], limits: MIMELimits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// Parses `range` as a part (header, blank line, body) at `depth`.
    mutating func parsePart(_ range: Range<Int>, depth: Int, defaultType: ContentType) -> MIMEPart {
        partCount += 1
        let headers = HeaderParser(bytes: bytes, maxHeaderBytes: limits.effectiveMaxHeaderBytes)
            .parse(from: range.lowerBound, to: range.upperBound, defects: &defects)
        let (contentType, valid) = ContentType.parse(headers.first("Content-Type")?.unfoldedValue, default: defaultType)
        if !valid { defects.record(.invalidContentType) }
        let disposition = headers.first("Content-Disposition").map { ContentDisposition(parsing: $0.unfoldedValue) }
        let encoding = headers.first("Content-Transfer-Encoding")
            .map { MIMEParameters.parse($0.unfoldedValue).value.asciiLowercased() } ?? ""
        let bodyRange = min(headers.bodyOffset, range.upperBound)..<range.upperBound

        var children: [MIMEPart] = []
        if contentType.isMultipart {
            children = parseMultipart(bodyRange, contentType: contentType, depth: depth)
        } else if contentType.isEmbeddedMessage {
            if encoding == "base64" || encoding == "quoted-printable" {
                // The embedded message is not in the original bytes; ranges could not
                // point at it. Scanners still get it through decodedBody().
                defects.record(.encodedEmbeddedMessage)
            } else if depth >= limits.effectiveMaxDepth {
                defects.record(.depthLimit)
            } else if partCount >= limits.effectiveMaxParts {
                defects.record(.partLimit)
            } else {
                children = [parsePart(bodyRange, depth: depth + 1, defaultType: .plainText)]
            }
        }
        return MIMEPart(headers: headers, contentType: contentType, contentDisposition: disposition,
                        transferEncoding: encoding.isEmpty ? "7bit" : encoding, range: range,
                        bodyRange: bodyRange, children: children, depth: depth, source: bytes)
    }

    /// Children of a multipart body; empty (so the part stays a leaf) when it cannot be split.
    private mutating func parseMultipart(_ body: Range<Int>, contentType: ContentType, depth: Int) -> [MIMEPart] {
        guard depth < limits.effectiveMaxDepth else {
            defects.record(.depthLimit)
            return []
        }
        guard let boundary = contentType.boundary, !boundary.isEmpty else {
            defects.record(.missingBoundary)
            return []
        }
        let budget = limits.effectiveMaxParts - partCount
        guard budget > 0 else {
            defects.record(.partLimit)
            return []
        }
        let split = MultipartSplitter(bytes: bytes).split(body, boundary: boundary, maxParts: budget)
        guard split.foundDelimiter else {
            defects.record(.boundaryNotFound)
            return []
        }
        if !split.closed && !split.truncated { defects.record(.unterminatedMultipart) }
        // RFC 2046 §5.1.5: parts of a digest default to message/rfc822.
        let childDefault: ContentType = contentType.subtype == "digest" ? .messageRFC822 : .plainText
        var children: [MIMEPart] = []
        children.reserveCapacity(split.parts.count)
        var limitHit = split.truncated
        for range in split.parts {
            // Nested parts share the budget, so it can run out before this level's list does.
            if partCount >= limits.effectiveMaxParts {
                limitHit = true
                break
            }
            children.append(parsePart(range, depth: depth + 1, defaultType: childDefault))
        }
        if limitHit { defects.record(.partLimit) }
        return children
    }
}
