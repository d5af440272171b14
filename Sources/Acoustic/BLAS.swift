import COpenBLAS

/// Matrix products through OpenBLAS. The acoustic model (issue 4) does all its heavy work here;
/// this is the only file that touches the BLAS.
public enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C` over row-major buffers.
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
                    cblas_sgemm(CblasRowMajor,
                                transposeA ? CblasTrans : CblasNoTrans,
                                transposeB ? CblasTrans : CblasNoTrans,
                                blasint(m), blasint(n), blasint(k), alpha,
                                pa.baseAddress, blasint(transposeA ? m : k),
                                pb.baseAddress, blasint(transposeB ? k : n),
                                beta, pc.baseAddress, blasint(n))
                }
            }
        }
    }

    /// OpenBLAS's name for the kernel set in use (e.g. "Haswell", "SkylakeX") and its thread count.
    public static var configuration: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return "OpenBLAS \(String(cString: name)) kernels, \(openblas_get_num_threads()) thread(s)"
    }
}
