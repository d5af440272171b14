import CRecurrentKernel
import Foundation

/// The per-time-step recurrent products, `z_t += r_{t−1} · W_hᵀ` (forward) and
/// `∂r_{t−1} = ∂z_t · W_h` (backward), `r` being the direction's output, with the weights packed once per batch into the layout
/// Parrot's AVX-512 kernel reads. A general GEMM re-packs its operands on every call, which for
/// these small products (batch × H · H × 4H) costs about as much as the arithmetic.
///
/// Used when the CPU has AVX-512 (checked at run time) unless `PARROT_RECURRENT_KERNEL=blas`;
/// otherwise the same products go through OpenBLAS. This is the only file that touches the kernel.
enum RecurrentKernel {
    static let isEnabled: Bool = {
        ProcessInfo.processInfo.environment["PARROT_RECURRENT_KERNEL"] != "blas" && parrot_recurrent_kernel_available() != 0
    }()

    /// Packs `W_h` (`outputs × depth` = 4H × O, row-major) for `z += r · W_hᵀ`.
    static func packForward(_ weights: UnsafePointer<Float>, outputs n: Int, depth k: Int, into buffer: FloatBuffer) {
        buffer.reserve(parrot_packed_size(Int32(n), Int32(k)))
        parrot_pack_rows(weights, Int32(n), Int32(k), buffer.pointer)
    }

    /// Packs `W_h` (4H × O, row-major) for `∂r = ∂z · W_h`: `outputs` = O, `depth` = 4H.
    static func packBackward(_ weights: UnsafePointer<Float>, outputs n: Int, depth k: Int, into buffer: FloatBuffer) {
        buffer.reserve(parrot_packed_size(Int32(n), Int32(k)))
        parrot_pack_columns(weights, Int32(n), Int32(k), buffer.pointer)
    }

    /// `y[m × n] (= or +=) x[m × k] · Wᵀ` with packed `W`.
    static func product(rows m: Int, columns n: Int, depth k: Int, x: UnsafePointer<Float>, ldx: Int,
                        packed: FloatBuffer, y: UnsafeMutablePointer<Float>, ldy: Int, accumulate: Bool) {
        parrot_packed_product(Int32(m), Int32(n), Int32(k), x, Int32(ldx), packed.pointer, y, Int32(ldy), accumulate ? 1 : 0)
    }
}

/// Which arithmetic the network runs, for `parrot --version`.
public enum NetworkKernels {
    /// e.g. "FP32; recurrent product: AVX-512 kernel; LSTM step: AVX-512; BF16: on this CPU, unused".
    public static var summary: String {
        let product = RecurrentKernel.isEnabled ? "AVX-512 kernel" : "OpenBLAS"
        let step = ActivationKernels.avx512CellKernel ? "AVX-512" : "portable SIMD"
        // BF16 measured slower than FP32 where the CPU has it (README, Performance), so never used.
        let bf16 = parrot_bf16_available() != 0 ? "on this CPU, unused (slower than FP32 here)" : "not on this CPU"
        return "FP32; recurrent product: \(product); LSTM step: \(step); BF16: \(bf16)"
    }
}
