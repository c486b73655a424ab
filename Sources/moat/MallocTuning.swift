#if canImport(Glibc)
import Glibc
#endif

/// glibc malloc settings for a process that holds many multi-megabyte messages at once.
enum MallocTuning {
    /// Blocks at least this large get their own mapping, which `free` returns to the kernel
    /// at once. glibc's default threshold starts at 128 kB but rises to the size of each
    /// mapped block freed, up to 32 MB: after the first burst of 10 MB messages their
    /// buffers come from the heap, whose freed space stays resident after the burst. Setting
    /// the threshold fixes it (and the trim threshold with it).
    static let mmapThreshold: Int32 = 256 << 10

    /// `M_MMAP_THRESHOLD` in glibc's <malloc.h>, which the Glibc module does not export.
    private static let mmapThresholdParameter: Int32 = -3

    /// Called once at start-up, before any message arrives. Looked up at run time: mallopt
    /// is glibc's, and a libc without it (musl) keeps its own behaviour.
    static func apply() {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThresholdParameter, mmapThreshold)
        #endif
    }

    /// Returns the free pages of every malloc arena to the kernel (`malloc_trim(0)`): the
    /// small blocks a burst of messages left scattered over the thread arenas, which the
    /// mmap threshold does not cover. Walks all arenas, so only after a burst.
    static func trim() {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}
