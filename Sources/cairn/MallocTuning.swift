#if os(Linux)
/// glibc's `mallopt`, which the Glibc module map does not export (it lives in `<malloc.h>`).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// Process-wide allocator settings for `cairn serve` and the artifact transfer commands.
enum MallocTuning {
    /// Artifact transfers allocate multi-MiB part buffers on many threads. With glibc's dynamic
    /// mmap threshold those move into per-thread arenas after the first free and stay resident; a
    /// fixed 1 MiB threshold (`M_MMAP_THRESHOLD`, -3) maps them and unmaps them on free, which keeps
    /// the resident set bounded during large uploads.
    ///
    /// Fixing that threshold also fixes the trim threshold at its 128 KiB default: every response
    /// of a few hundred KiB (a 1,000-version search is 207 KB of JSON, copied once into a
    /// `ByteBuffer`) was returned to the kernel when freed and faulted back in, page by page, on
    /// the next request. `M_TRIM_THRESHOLD` (-1) at 4 MiB keeps that much free memory at the top
    /// of each arena instead; larger buffers are mapped and unmapped as above.
    static func apply() {
        #if os(Linux)
        _ = glibcMallopt(-3, 1 << 20)
        _ = glibcMallopt(-1, 4 << 20)
        #endif
    }
}
