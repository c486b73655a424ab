import MoatCore
import Queue
import XCTest

/// Postfix's queue-space rules at MAIL FROM (smtpd_check_queue, smtpd_check_size).
final class SpoolAdmissionTests: XCTestCase {
    private let mb: Int64 = 1_000_000
    private func space(_ bytes: Int64) -> FileSystemSpace { FileSystemSpace(availableBytes: bytes) }

    func testRoomForOneAndAHalfLargestMessagesIsNeeded() {
        let admission = SpoolAdmission(minimumFree: 0, messageSizeLimit: 10 * mb)
        XCTAssertEqual(admission.verdict(space: space(16 * mb), declaredSize: nil), .admit)
        XCTAssertEqual(admission.verdict(space: space(14 * mb), declaredSize: nil), .insufficientStorage(available: 14 * mb))
    }

    func testQueueMinfreeMustStayFree() {
        let admission = SpoolAdmission(minimumFree: 100 * mb, messageSizeLimit: 10 * mb)
        XCTAssertEqual(admission.verdict(space: space(99 * mb), declaredSize: nil), .insufficientStorage(available: 99 * mb))
        XCTAssertEqual(admission.verdict(space: space(101 * mb), declaredSize: nil), .admit)
    }

    func testADeclaredSizeMustFitBesideMinfreeAndInHalfTheSpace() {
        let admission = SpoolAdmission(minimumFree: 20 * mb, messageSizeLimit: 0)
        XCTAssertEqual(admission.verdict(space: space(100 * mb), declaredSize: 40_000_000), .admit)
        // More than half of what is free.
        XCTAssertEqual(admission.verdict(space: space(100 * mb), declaredSize: 50_000_000),
                       .insufficientStorage(available: 100 * mb))
        // Fits in half the space, but would eat into queue_minfree.
        let strict = SpoolAdmission(minimumFree: 80 * mb, messageSizeLimit: 0)
        XCTAssertEqual(strict.verdict(space: space(100 * mb), declaredSize: 19_000_000), .admit)
        XCTAssertEqual(strict.verdict(space: space(100 * mb), declaredSize: 30_000_000),
                       .insufficientStorage(available: 100 * mb))
    }

    func testAnEmptyFileSystemRefusesEvenWithoutLimits() {
        let admission = SpoolAdmission(minimumFree: 0, messageSizeLimit: 0)
        XCTAssertEqual(admission.verdict(space: space(0), declaredSize: nil), .insufficientStorage(available: 0))
        XCTAssertEqual(admission.verdict(space: space(4096 * 3), declaredSize: nil), .admit)
    }

    func testTheFileSystemOfATemporaryDirectoryIsRead() throws {
        let space = try FileSystemSpace.of(NSTemporaryDirectory())
        XCTAssertGreaterThan(space.availableBytes, 0)
        XCTAssertThrowsError(try FileSystemSpace.of("/nonexistent/moat-\(UUID())"))
    }
}
