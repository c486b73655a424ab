/// `resp-text-code` of RFC 9051 §7.1 and the extensions Moat speaks (RFC 4315 UIDPLUS,
/// RFC 5530 response codes, RFC 7162 CONDSTORE/QRESYNC, RFC 4469/4978…, RFC 7889).
public enum ResponseCode: Hashable, Sendable {
    case alert
    /// `BADCHARSET [SP "(" charset *(SP charset) ")"]`
    case badCharset([String])
    case capability([String])
    case parse
    case permanentFlags([Flag])
    case readOnly
    case readWrite
    case tryCreate
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(UInt32)
    /// RFC 4315: `APPENDUID uidvalidity uid-set`.
    case appendUID(uidValidity: UInt32, uids: NumberSet)
    /// RFC 4315: `COPYUID uidvalidity source-uids destination-uids`.
    case copyUID(uidValidity: UInt32, source: NumberSet, destination: NumberSet)
    case uidNotSticky
    /// RFC 7162.
    case highestModSeq(UInt64)
    case noModSeq
    case modified(NumberSet)
    case closed
    /// RFC 5530.
    case alreadyExists
    case nonExistent
    case authenticationFailed
    case authorizationFailed
    case expired
    case privacyRequired
    case contactAdmin
    case noPerm
    case inUse
    case expungeIssued
    case corruption
    case serverBug
    case clientBug
    case cannot
    case limit
    case overQuota
    case unavailable
    case hasChildren
    /// RFC 4469 / RFC 7889: the message is larger than the server accepts.
    case tooBig
    /// RFC 3516.
    case unknownCTE
    /// RFC 7889: `APPENDLIMIT` in a response code is not standard; sent as capability.
    /// Any other code: upper-cased atom and optional text.
    case other(String, String?)

    /// The atom that names the code.
    var name: String {
        switch self {
        case .alert: "ALERT"
        case .badCharset: "BADCHARSET"
        case .capability: "CAPABILITY"
        case .parse: "PARSE"
        case .permanentFlags: "PERMANENTFLAGS"
        case .readOnly: "READ-ONLY"
        case .readWrite: "READ-WRITE"
        case .tryCreate: "TRYCREATE"
        case .uidNext: "UIDNEXT"
        case .uidValidity: "UIDVALIDITY"
        case .unseen: "UNSEEN"
        case .appendUID: "APPENDUID"
        case .copyUID: "COPYUID"
        case .uidNotSticky: "UIDNOTSTICKY"
        case .highestModSeq: "HIGHESTMODSEQ"
        case .noModSeq: "NOMODSEQ"
        case .modified: "MODIFIED"
        case .closed: "CLOSED"
        case .alreadyExists: "ALREADYEXISTS"
        case .nonExistent: "NONEXISTENT"
        case .authenticationFailed: "AUTHENTICATIONFAILED"
        case .authorizationFailed: "AUTHORIZATIONFAILED"
        case .expired: "EXPIRED"
        case .privacyRequired: "PRIVACYREQUIRED"
        case .contactAdmin: "CONTACTADMIN"
        case .noPerm: "NOPERM"
        case .inUse: "INUSE"
        case .expungeIssued: "EXPUNGEISSUED"
        case .corruption: "CORRUPTION"
        case .serverBug: "SERVERBUG"
        case .clientBug: "CLIENTBUG"
        case .cannot: "CANNOT"
        case .limit: "LIMIT"
        case .overQuota: "OVERQUOTA"
        case .unavailable: "UNAVAILABLE"
        case .hasChildren: "HASCHILDREN"
        case .tooBig: "TOOBIG"
        case .unknownCTE: "UNKNOWN-CTE"
        case .other(let name, _): name
        }
    }
}
