import CRecurrentKernel
import Foundation

/// Parrot's AVX-512 product kernels, `y (= or +=) x · Wᵀ` with `W` packed once into the layout the
/// vector unit reads. A general GEMM re-packs its operands on every call, which for the
/// per-time-step recurrent products (batch × H · H × 4H) costs about as much as the arithmetic.
///
/// In FP32 the kernel serves the recurrent products, when the CPU has AVX-512 (checked at run
/// time) unless `PARROT_RECURRENT_KERNEL=blas`; otherwise they go through OpenBLAS. In BF16
/// (`Precision.bf16`, AVX512_BF16) it serves every product of the LSTM layers. This is the only
/// file that touches the kernels.
enum RecurrentKernel {
    static let isEnabled: Bool = {
        ProcessInfo.processInfo.environment["PARROT_RECURRENT_KERNEL"] != "blas" && parrot_recurrent_kernel_available() != 0
    }()

    /// Whether this CPU has AVX512_BF16.
    static let hasBF16: Bool = parrot_bf16_available() != 0
}

/// The arithmetic of the LSTM layers' matrix products.
public enum Precision: String, CaseIterable, Sendable {
    /// FP32 inputs, weights and sums (OpenBLAS, and Parrot's FP32 kernel for the recurrence).
    case fp32
    /// Inputs and weights rounded to BF16 as they enter a product, sums in FP32 (AVX512_BF16's
    /// VDPBF16PS): the input projections, the recurrent products, and their gradients with
    /// respect to inputs and weights. Weights, activations, gradients and the optimiser stay FP32,
    /// and so do the output layer's and the LSTMP projection's products.
    case bf16

    /// Whether this CPU can run it.
    public var isAvailable: Bool { self == .fp32 || RecurrentKernel.hasBF16 }

    /// The precision the command line chooses when none is given: BF16 where the CPU has
    /// AVX512_BF16 (README, Performance: about twice the FP32 kernel's rate there), else FP32.
    public static var automatic: Precision { RecurrentKernel.hasBF16 ? .bf16 : .fp32 }

    /// The precision `PARROT_PRECISION` names, when this CPU runs it.
    public static var named: Precision? {
        ProcessInfo.processInfo.environment["PARROT_PRECISION"].flatMap(Precision.init(rawValue:)).flatMap { $0.isAvailable ? $0 : nil }
    }

    /// The precision new workspaces run in. FP32 unless `PARROT_PRECISION` says otherwise (the
    /// command line sets both from `--precision`, so that jobs it launches run the same way).
    public static var active: Precision = named ?? .fp32
}

/// A weight matrix `W` (n × k) packed once for repeated products `y[m × n] (= or +=) x[m × k] · Wᵀ`,
/// in FP32 or BF16.
final class PackedWeights {
    private let fp32 = FloatBuffer()
    private let bf16 = ScalarBuffer<UInt16>()
    private(set) var precision = Precision.fp32
    private var outputs = 0, depth = 0

    /// Packs `W` given row-major as n × k (`w[j·k + i]` is W[j][i]), or with `transposed` as its
    /// transpose, k × n (`w[i·ldw + j]`, `ldw` defaulting to n; BF16 only for other strides).
    func pack(_ w: UnsafePointer<Float>, outputs n: Int, depth k: Int, transposed: Bool = false, ldw: Int? = nil, precision: Precision) {
        precondition(ldw == nil || (transposed && precision == .bf16), "a row stride only for BF16 packing of a transpose")
        (self.precision, outputs, depth) = (precision, n, k)
        switch precision {
        case .fp32:
            fp32.reserve(parrot_packed_size(Int32(n), Int32(k)))
            (transposed ? parrot_pack_columns : parrot_pack_rows)(w, Int32(n), Int32(k), fp32.pointer)
        case .bf16:
            bf16.reserve(parrot_packed_bf16_size(Int32(n), Int32(k)))
            if transposed {
                parrot_pack_columns_bf16(w, Int32(n), Int32(k), Int32(ldw ?? n), bf16.pointer)
            } else {
                parrot_pack_rows_bf16(w, Int32(n), Int32(k), bf16.pointer)
            }
        }
    }

    /// `y[m × n] (= or +=) x[m × k] · Wᵀ`, row strides `ldx` and `ldy`; with `xTransposed` (BF16
    /// only) `x` is given as its transpose, k × m with row stride `ldx`.
    func product(rows m: Int, x: UnsafePointer<Float>, ldx: Int, xTransposed: Bool = false, y: UnsafeMutablePointer<Float>, ldy: Int, accumulate: Bool) {
        guard m > 0 else { return }
        precondition(!xTransposed || precision == .bf16, "a transposed x only in BF16")
        switch precision {
        case .fp32:
            parrot_packed_product(Int32(m), Int32(outputs), Int32(depth), x, Int32(ldx), fp32.pointer, y, Int32(ldy), accumulate ? 1 : 0)
        case .bf16:
            (xTransposed ? parrot_packed_product_bf16_transposed : parrot_packed_product_bf16)(
                Int32(m), Int32(outputs), Int32(depth), x, Int32(ldx), bf16.pointer, y, Int32(ldy), accumulate ? 1 : 0)
        }
    }
}

/// Which arithmetic the network runs, for `parrot --version`.
public enum NetworkKernels {
    /// e.g. "BF16 (AVX512_BF16) products in the LSTM layers, FP32 elsewhere; recurrent product: AVX-512 kernel; LSTM step: AVX-512".
    public static var summary: String {
        let arithmetic = Precision.active == .bf16 ? "BF16 (AVX512_BF16) products in the LSTM layers, FP32 elsewhere"
            : RecurrentKernel.hasBF16 ? "FP32 (BF16 available: --precision bf16)" : "FP32 (no AVX512_BF16 on this CPU)"
        let product = Precision.active == .bf16 || RecurrentKernel.isEnabled ? "AVX-512 kernel" : "OpenBLAS"
        let step = ActivationKernels.avx512CellKernel ? "AVX-512" : "portable SIMD"
        return "\(arithmetic); recurrent product: \(product); LSTM step: \(step)"
    }
}
