/// BODY and BODYSTRUCTURE (RFC 3501 §7.4.2 `body`). `extensible` is false for `BODY`, which
/// leaves out extension data at every level.
extension ResponseWriter {
    mutating func write(_ structure: BodyStructure, extensible: Bool) {
        write("(")
        switch structure {
        case .singlePart(let part): write(part, extensible: extensible)
        case .multipart(let multipart): write(multipart, extensible: extensible)
        }
        write(")")
    }

    /// `body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]`
    private mutating func write(_ part: SinglePartBody, extensible: Bool) {
        writeString(part.type)
        space()
        writeString(part.subtype)
        space()
        write(part.fields)
        switch part.kind {
        case .basic:
            break
        case .text(let lines):
            space()
            write(number: lines)
        case .message(let envelope, let body, let lines):
            space()
            write(envelope)
            space()
            write(body, extensible: extensible)
            space()
            write(number: lines)
        }
        guard extensible, let extensionData = part.extensionData else { return }
        space()
        writeNString(extensionData.md5)
        writeTrailingExtension(
            disposition: extensionData.disposition, language: extensionData.language, location: extensionData.location)
    }

    /// `body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]`
    private mutating func write(_ multipart: MultipartBody, extensible: Bool) {
        for part in multipart.parts { write(part, extensible: extensible) }
        space()
        writeString(multipart.subtype)
        guard extensible, let extensionData = multipart.extensionData else { return }
        space()
        writeParameters(extensionData.parameters)
        writeTrailingExtension(
            disposition: extensionData.disposition, language: extensionData.language, location: extensionData.location)
    }

    /// `body-fields`
    private mutating func write(_ fields: BodyFields) {
        writeParameters(fields.parameters)
        space()
        writeNString(fields.id)
        space()
        writeNString(fields.description)
        space()
        writeString(fields.encoding)
        space()
        write(number: fields.octets)
    }

    /// `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil`
    private mutating func writeParameters(_ parameters: [BodyParameter]) {
        guard !parameters.isEmpty else { return write("NIL") }
        writeList(parameters) { writer, parameter in
            writer.writeString(parameter.name)
            writer.space()
            writer.writeString(parameter.value)
        }
    }

    /// `SP body-fld-dsp SP body-fld-lang SP body-fld-loc`
    private mutating func writeTrailingExtension(disposition: BodyDisposition?, language: [[UInt8]]?, location: [UInt8]?) {
        space()
        if let disposition {
            write("(")
            writeString(disposition.type)
            space()
            writeParameters(disposition.parameters)
            write(")")
        } else {
            write("NIL")
        }
        space()
        switch language {
        case nil: write("NIL")
        case let languages? where languages.isEmpty: write("NIL")
        // Always a list, even of one (RFC 3501 allows both): what Dovecot sends.
        case let languages?: writeList(languages) { writer, language in writer.writeString(language) }
        }
        space()
        writeNString(location)
    }
}
