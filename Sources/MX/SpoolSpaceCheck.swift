import Logging
import MoatCore
import Queue
import SMTP

/// The MX's question at MAIL FROM: is there room in the queue for this message? Reads the
/// spool file system's free space and applies `SpoolAdmission`, so a full disk refuses
/// mail before it is received and scanned, not after.
public struct SpoolSpaceCheck: Sendable {
    public let spoolDirectory: String
    public let admission: SpoolAdmission
    private let logger: Logger

    public init(spoolDirectory: String, admission: SpoolAdmission, logger: Logger) {
        self.spoolDirectory = spoolDirectory
        self.admission = admission
        self.logger = logger
    }

    /// Postfix's reply for both a full queue and a SIZE= that would not fit.
    public static let insufficientStorage = SMTPReply(452, "4.3.1", "Insufficient system storage")

    /// nil when the message may come; the 452 otherwise (logged as Postfix's warning).
    public func refusal(declaredSize: Int?) -> SMTPReply? {
        let space: FileSystemSpace
        do {
            space = try FileSystemSpace.of(spoolDirectory)
        } catch {
            // Cannot tell: a temporary refusal keeps the message with the client.
            logger.error("cannot read the queue's free space: \(error)")
            return Self.insufficientStorage
        }
        guard case .insufficientStorage(let available) = admission.verdict(space: space, declaredSize: declaredSize)
        else { return nil }
        logger.warning("""
            not enough free space in mail queue: \(available) bytes available, need more than queue_minfree \
            \(admission.minimumFree) and 1.5*message size limit \(admission.messageSizeLimit)\
            \(declaredSize.map { ", and room for SIZE=\($0) twice over" } ?? "")
            """)
        return Self.insufficientStorage
    }
}
