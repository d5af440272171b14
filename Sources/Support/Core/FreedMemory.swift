#if canImport(Glibc)
import CMalloc
#endif

/// Gives the pages of freed heap memory back to the system (glibc's `malloc_trim`), and keeps
/// worker threads to one allocator arena. This file is the only one that touches the allocator.
///
/// Long batch work frees and allocates buffers of every size, batch after batch. glibc keeps what
/// is freed for reuse, but the free pieces end up scattered, so a process's resident memory crept
/// up with the number of batches: aligning 20 hours of speech took 29% more memory than 2 hours,
/// with the same largest batch. Allocating big buffers straight from the system instead
/// (`MALLOC_MMAP_THRESHOLD_`) kept memory flat but cost 9–15% of the time. Calling this between
/// blocks of work keeps memory flat for a few milliseconds.
public enum FreedMemory {
    /// Releases the free pages of every allocator arena; nothing where the C library has no such call.
    public static func release() {
        #if canImport(Glibc)
        _ = malloc_trim(0)
        #endif
    }

    /// Makes the C library allocate every buffer of at least `bytes` straight from the system and
    /// give it back when freed (glibc's `M_MMAP_THRESHOLD`, which also stops glibc from raising
    /// that threshold as big buffers come and go). Call it before starting threads. `parrot
    /// align` frees a batch's features, inputs and posteriors (hundreds of kilobytes each) batch
    /// after batch; kept in the arenas they left free pieces behind, and its peak memory at
    /// 20 hours moved by up to 11 MB from one run to the next. With 512 KB four runs stayed within
    /// 1.7 MB of each other, for up to 5% more time.
    public static func mapBuffersFrom(bytes: Int) {
        #if canImport(Glibc)
        _ = mallopt(M_MMAP_THRESHOLD, Int32(bytes))
        #endif
    }

    /// Makes every thread of the process allocate from one arena (glibc's `M_ARENA_MAX` = 1); call
    /// it before starting threads. With an arena per worker thread, each thread's freed pieces
    /// stay in its own arena, and computing the features of 20 hours took 11% more memory than
    /// 2 hours (7.5% with one arena, for about 3% more time).
    public static func useOneArena() {
        #if canImport(Glibc)
        _ = mallopt(M_ARENA_MAX, 1)
        #endif
    }
}
