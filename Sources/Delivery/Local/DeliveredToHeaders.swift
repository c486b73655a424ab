/// The `Delivered-To` fields already in a message: Postfix's local(8) and virtual(8)
/// refuse a delivery whose recipient is among them ("mail forwarding loop for X", 5.4.6),
/// since the message then went round an alias chain that leads back here (an alias to a
/// remote address that forwards to us again). Each delivery adds its own field, so a loop
/// stops at the second pass.
enum DeliveredToHeaders {
    /// The lowercased values of the `Delivered-To` fields of the header section (up to the
    /// first empty line). Byte scan, no full parse: the body is never looked at.
    static func addresses(in message: [UInt8]) -> Set<String> {
        let name = Array("delivered-to:".utf8)
        var found = Set<String>()
        var start = 0
        while start < message.count {
            let end = message[start...].firstIndex(of: UInt8(ascii: "\n")) ?? message.count
            var line = message[start..<end]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.isEmpty { break }
            if line.count > name.count, zip(line, name).allSatisfy({ lowercased($0) == $1 }) {
                var value = line.dropFirst(name.count)
                while let first = value.first, first == 32 || first == 9 { value = value.dropFirst() }
                while let last = value.last, last == 32 || last == 9 { value = value.dropLast() }
                found.insert(String(decoding: value.map(lowercased), as: UTF8.self))
            }
            start = end + 1
        }
        return found
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
