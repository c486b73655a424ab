/// One record of what read(2) returns from an inotify descriptor (`struct inotify_event`:
/// wd, mask, cookie, len, then `len` bytes of NUL-padded name).
struct InotifyEvent: Equatable {
    /// The watch descriptor; -1 with `IN_Q_OVERFLOW`.
    var watch: Int32
    var mask: UInt32
    /// The name within the watched directory ("" for the directory itself).
    var name: String

    static let headerSize = 16

    /// The events in `bytes`, in order. A record cut short (the kernel never does this; a
    /// bug would) ends the list instead of reading past the buffer.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> [InotifyEvent] {
        var events: [InotifyEvent] = []
        var offset = 0
        while offset + headerSize <= bytes.count {
            let watch = Int32(bitPattern: word(bytes, at: offset))
            let mask = word(bytes, at: offset + 4)
            let length = Int(word(bytes, at: offset + 12))
            let nameStart = offset + headerSize
            guard length <= bytes.count - nameStart else { break }
            let raw = bytes[nameStart..<nameStart + length]
            let name = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            events.append(InotifyEvent(watch: watch, mask: mask, name: name))
            offset = nameStart + length
        }
        return events
    }

    /// A native-endian 32-bit field (the kernel writes in the machine's order).
    private static func word(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 4])) }
        return value
    }
}
