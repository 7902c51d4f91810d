#if os(Linux)
/// glibc's `mallopt`, which the Glibc module map does not export (it lives in `<malloc.h>`).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// Process-wide allocator settings for `cairn serve`.
enum MallocTuning {
    /// Artifact transfers allocate multi-MiB part buffers on many threads. With glibc's dynamic
    /// mmap threshold those move into per-thread arenas after the first free and stay resident; a
    /// fixed 1 MiB threshold (`M_MMAP_THRESHOLD`, -3) maps them and unmaps them on free, which keeps
    /// the resident set bounded during large uploads.
    static func apply() {
        #if os(Linux)
        _ = glibcMallopt(-3, 1 << 20)
        #endif
    }
}
