import COpenBLAS
import Foundation

/// Matrix products through OpenBLAS. The acoustic model does all its heavy work here; this is
/// the only file that touches the BLAS.
public enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C` over row-major arrays.
    ///
    /// - Parameters:
    ///   - a: `m × k` (or `k × m` when `transposeA`).
    ///   - b: `k × n` (or `n × k` when `transposeB`).
    ///   - c: `m × n`, updated in place.
    public static func gemm(m: Int, n: Int, k: Int,
                            a: [Float], transposeA: Bool = false,
                            b: [Float], transposeB: Bool = false,
                            c: inout [Float], alpha: Float = 1, beta: Float = 0) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "gemm operand too small")
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(transposeA, transposeB, m, n, k, alpha, pa.baseAddress!, transposeA ? m : k,
                         pb.baseAddress!, transposeB ? k : n, beta, pc.baseAddress!, n)
                }
            }
        }
    }

    /// Row-major SGEMM on raw buffers with explicit leading dimensions (row strides), for the
    /// model's kernels: `C[m×n] = alpha · op(A) · op(B) + beta · C`.
    @inline(__always)
    static func gemm(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                     _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                     _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        guard m > 0 && n > 0 else { return }
        if k == 0 {
            if beta != 1 { for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } } }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// Sets how many threads OpenBLAS uses inside one call, for `parrot-bench`'s SGEMM peak on one
    /// and two threads. Parrot itself uses `useOneThread` (the two directions of a bidirectional
    /// layer run concurrently, each with single-threaded BLAS); setting a count restarts the
    /// worker threads that stopped.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    /// Makes every OpenBLAS call single-threaded and stops the worker threads OpenBLAS started
    /// when it loaded (one per core but the first). Parrot parallelises above BLAS (the two
    /// directions of a layer, worker jobs), and an idle worker does not sleep at once: it spins on
    /// `sched_yield` for a while first (OpenBLAS's thread timeout), taking a core's time from the
    /// threads doing the work (6% of `nnet-forward`'s CPU time on 64 utterances, 2 cores).
    ///
    /// Only the first call does anything: OpenBLAS's `openblas_set_num_threads` starts the worker
    /// again whenever it finds it stopped (`blas_thread_init`), so setting one thread a second time
    /// (as every network workspace did) brought back the spinning thread this stopped.
    public static func useOneThread() { _ = oneThread }

    private static let oneThread: Void = {
        openblas_set_num_threads(1)
        _ = blas_thread_shutdown_()
    }()

    /// OpenBLAS's name for the kernel set in use (e.g. "Haswell", "SkylakeX") and its thread count.
    public static var configuration: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return "OpenBLAS \(String(cString: name)) kernels, \(openblas_get_num_threads()) thread(s)"
    }

    /// Whether this CPU has the AVX-512 subsets OpenBLAS's SkylakeX kernels use (F, BW, DQ, VL),
    /// read from `/proc/cpuinfo` — never assumed.
    public static var cpuHasAVX512: Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        return ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
    }

    /// True when OpenBLAS runs kernels older than the CPU supports: the CPU has AVX-512 but
    /// OpenBLAS (Debian's 0.3.21 does not recognise AMD Zen 4/5) picked an AVX2 set such as Haswell
    /// or Zen. `OPENBLAS_CORETYPE=SkylakeX`, set before the library loads, selects the fast ones.
    public static var shouldSelectAVX512Kernels: Bool {
        let name = coreName.lowercased()
        let avx512Kernels = ["skylakex", "cooperlake", "sapphirerapids"]
        return cpuHasAVX512 && !avx512Kernels.contains(name)
    }

    /// OpenBLAS's kernel set name.
    public static var coreName: String {
        openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }
}
