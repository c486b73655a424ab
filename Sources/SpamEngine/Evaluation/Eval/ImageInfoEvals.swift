import MIME

/// What `Mail::SpamAssassin::Plugin::ImageInfo` (4.0.1) learns from a message's base64
/// GIF, PNG and JPEG leaf parts: per type (and "all") the count, the pixels covered and
/// the height×width pairs, and the names of the images whose size it could read.
struct ImageFacts: Sendable {
    var count: [String: Int] = [:]
    var pixels: [String: Int] = [:]
    var sizes: [String: Set<String>] = [:]
    var names: Set<String> = []

    static let types = ["gif", "png", "jpeg"]

    init(_ message: MIMEMessage) {
        // `_get_images` starts every count and coverage at 0 (a size list only once filled).
        for type in Self.types + ["all"] {
            count[type] = 0
            pixels[type] = 0
        }
        for part in message.allParts where part.isLeaf && part.contentType.type == "image" {
            let sub = part.contentType.subtype
            guard ["gif", "png", "jpeg", "jpg"].contains(sub), part.transferEncoding == "base64" else { continue }
            let type = sub == "jpg" ? "jpeg" : sub
            let data = part.decodedBody()
            let size: (height: Int, width: Int)? = switch type {
            case "gif": Self.gifSize(data)
            case "png": Self.pngSize(data)
            default: Self.jpegSize(data)
            }
            count[type, default: 0] += 1
            guard let size, size.height > 0, size.width > 0 else { continue }
            pixels[type, default: 0] += size.height * size.width
            sizes[type, default: []].insert("\(size.height)x\(size.width)")
            if let name = part.filename, !name.isEmpty { names.insert(name) }
        }
        count["all"] = Self.types.reduce(0) { $0 + (count[$1] ?? 0) }
        pixels["all"] = Self.types.reduce(0) { $0 + (pixels[$1] ?? 0) }
        sizes["all"] = Self.types.reduce(into: Set<String>()) { $0.formUnion(sizes[$1] ?? []) }
    }

    /// `GIF87a`/`GIF89a`, then width and height, little-endian.
    static func gifSize(_ d: [UInt8]) -> (height: Int, width: Int)? {
        guard d.count >= 10, d.starts(with: Array("GIF8".utf8)), d[4] == 0x37 || d[4] == 0x39, d[5] == 0x61 else { return nil }
        return (Int(d[8]) | Int(d[9]) << 8, Int(d[6]) | Int(d[7]) << 8)
    }

    /// The IHDR chunk (length 13) read as ImageInfo reads it: chunk headers walked from
    /// offset 8 without skipping other chunks' data, up to IEND.
    static func pngSize(_ d: [UInt8]) -> (height: Int, width: Int)? {
        guard d.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { return nil }
        var pos = 8
        while pos < d.count {
            let header = Array(d[pos..<min(pos + 8, d.count)]) + [UInt8](repeating: 0, count: 8)
            let length = Self.bigEndian(header, 0, 4)
            let type = String(decoding: header[4..<8], as: UTF8.self)
            pos += 8
            if type == "IEND" { break }
            guard type == "IHDR", length == 13 else { continue }
            let body = Array(d[min(pos, d.count)..<min(pos + 8, d.count)]) + [UInt8](repeating: 0, count: 8)
            return (Self.bigEndian(body, 4, 4), Self.bigEndian(body, 0, 4))
        }
        return nil
    }

    /// The first start-of-frame marker's height and width, walking the marker segments.
    static func jpegSize(_ d: [UInt8]) -> (height: Int, width: Int)? {
        guard d.count >= 2, d[0] == 0xFF, d[1] == 0xD8 else { return nil }
        var pos = 2
        while pos + 4 <= d.count {
            let mark = d[pos + 1], length = Self.bigEndian(d, pos + 2, 2)
            if d[pos] != 0xFF || mark == 0xDA || mark == 0xD9 || length < 2 { return nil }
            pos += 4
            let end = min(pos + length - 2, d.count)
            let isFrame = (0xC0...0xC3).contains(mark) || (0xC5...0xC7).contains(mark)
                || (0xC9...0xCB).contains(mark) || (0xCD...0xCF).contains(mark)
            if isFrame {
                let block = Array(d[pos..<end]) + [UInt8](repeating: 0, count: 6)
                return (Self.bigEndian(block, 1, 2), Self.bigEndian(block, 3, 2))
            }
            pos = end
        }
        return nil
    }

    private static func bigEndian(_ b: [UInt8], _ at: Int, _ n: Int) -> Int {
        (at..<(at + n)).reduce(0) { $0 << 8 | Int(b[$1]) }
    }
}

/// ImageInfo's eval functions (all but `image_name_regex`, which no stock rule uses).
enum ImageInfoEvals {
    typealias S = EvalSupport
    private static let factsKey = SAMemoKey<ImageFacts>()

    static func register(into registry: inout EvalRegistry) {
        @Sendable func facts(_ input: EvalInput) -> ImageFacts? {
            input.message.map { m in m.memoized(factsKey) { ImageFacts(m.message) } }
        }
        @Sendable func argument(_ input: EvalInput, _ i: Int) -> String? { i < input.arguments.count ? input.arguments[i] : nil }
        registry.register("image_count") { input in
            guard let f = facts(input), let type = argument(input, 0), let min = S.number(argument(input, 1)) else { return 0 }
            return resultCheck(min: min, max: S.number(argument(input, 2)), value: f.count[type].map(Double.init)) ? 1 : 0
        }
        registry.register("pixel_coverage") { input in
            guard let f = facts(input), let type = argument(input, 0), let min = S.number(argument(input, 1)) else { return 0 }
            return resultCheck(min: min, max: S.number(argument(input, 2)), value: f.pixels[type].map(Double.init)) ? 1 : 0
        }
        registry.register("image_to_text_ratio") { input in
            guard let f = facts(input), let message = input.message, let type = argument(input, 0),
                  let min = S.number(argument(input, 1)), let max = S.number(argument(input, 2)) else { return 0 }
            let texts = input.kind == .rawbody ? message.rawbodyLines : message.bodyParagraphs
            let length = texts.reduce(0) { $0 + $1.count }
            guard length > 0, let pixels = f.pixels[type], pixels > 0 else { return 0 }
            return resultCheck(min: min, max: max, value: Double(length) / Double(pixels), noMaxEqual: true) ? 1 : 0
        }
        registry.register("image_size_exact") { input in
            guard let f = facts(input), let type = argument(input, 0), let h = argument(input, 1), let w = argument(input, 2),
                  let sizes = f.sizes[type] else { return 0 }
            return sizes.contains("\(h)x\(w)") ? 1 : 0
        }
        registry.register("image_size_range") { input in
            guard let f = facts(input), let type = argument(input, 0), let minH = S.number(argument(input, 1)),
                  let minW = S.number(argument(input, 2)), let sizes = f.sizes[type] else { return 0 }
            let maxH = S.number(argument(input, 3)), maxW = S.number(argument(input, 4))
            for size in sizes {
                let hw = size.split(separator: "x").compactMap { Double($0) }
                guard hw.count == 2, hw[0] >= minH, hw[1] >= minW else { continue }
                if let maxH, hw[0] > maxH { continue }
                if let maxW, hw[1] > maxW { continue }
                return 1
            }
            return 0
        }
        registry.register("image_named") { input in
            guard let f = facts(input), let name = argument(input, 0) else { return 0 }
            return f.names.contains(name) ? 1 : 0
        }
    }

    /// ImageInfo's `result_check`.
    static func resultCheck(min: Double, max: Double?, value: Double?, noMaxEqual: Bool = false) -> Bool {
        guard let value, value >= min else { return false }
        if let max, value > max { return false }
        if noMaxEqual, let max, value == max { return false }
        return true
    }
}

extension EvalRegistry {
    /// ImageInfo's functions.
    public mutating func registerImageInfoEvals(config: RuleConfiguration) {
        ImageInfoEvals.register(into: &self)
    }
}
