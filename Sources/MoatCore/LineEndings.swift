/// Line-end conversion on message bytes, for the stores and views that want Unix lines.
public enum LineEndings {
    /// `bytes` with each CRLF pair replaced by LF; a lone CR is not a line end and is kept.
    /// Returns `bytes` itself, uncopied, when it holds no CR (mail that already went
    /// through a Unix queue).
    public static func lineFeedsOnly(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x0D) else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                index += 1
                continue
            }
            output.append(bytes[index])
            index += 1
        }
        return output
    }
}
