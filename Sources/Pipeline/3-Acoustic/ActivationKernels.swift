import CRecurrentKernel
import Foundation

/// Vectorised element-wise functions for the LSTM gates (eight lanes at a time).
///
/// `exp` is computed as `2^n · e^r` with `n = round(x / ln 2)` and `|r| ≤ ln 2 / 2`, `e^r` by a
/// degree-6 Taylor polynomial (relative error below 3e-7); sigmoid and tanh are built on it.
/// Inputs are clamped to ±87 so nothing overflows.
enum ActivationKernels {
    @inline(__always)
    static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var clamped = x
        clamped.replace(with: 87, where: x .> 87)
        clamped.replace(with: -87, where: x .< -87)
        // Round x/ln2 to the nearest integer by adding 1.5·2²³: the integer lands in the low mantissa bits.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = clamped * 1.442695041 + magic
        let n = shifted - magic
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        // r = x − n·ln2, with ln2 split in two for accuracy.
        let r = clamped - n * 0.693145751953125 - n * 1.428606765330187e-06
        var p = SIMD8<Float>(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let exponent = (integer &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: SIMD8<Float>.self)
    }

    @inline(__always)
    static func sigmoid8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp8(-x))
    }

    @inline(__always)
    static func tanh8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        2 / (1 + exp8(-2 * x)) - 1
    }

    /// `y[i] = f(x[i])` for `n` values (in place allowed).
    @inline(__always)
    static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ f: (SIMD8<Float>) -> SIMD8<Float>) {
        var i = 0
        while i + 8 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: f(v), as: SIMD8<Float>.self)
            i += 8
        }
        if i < n {
            var tail = SIMD8<Float>()
            for j in 0..<(n - i) { tail[j] = x[i + j] }
            let out = f(tail)
            for j in 0..<(n - i) { y[i + j] = out[j] }
        }
    }

    /// One LSTM step for one utterance, fused: from pre-activations `z = [i f g o]` (4H, replaced
    /// by the activations, which back-propagation needs) and the previous cell state, computes
    /// `c = m·(f⊙c₋₁ + i⊙g)`, `tanh(c)` and `h = o⊙tanh(c)`, eight units at a time.
    /// - Parameters:
    ///   - bias: the 4H gate biases, added to `z` first.
    ///   - previousCell: nil at the first step (zero state).
    static func lstmCell(z: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, previousCell: UnsafePointer<Float>?, mask m: Float,
                         cell: UnsafeMutablePointer<Float>, tanhCell: UnsafeMutablePointer<Float>,
                         output: UnsafeMutablePointer<Float>, hidden h: Int) {
        if avx512CellKernel {
            parrot_lstm_cell_avx512(z, bias, previousCell, m, cell, tanhCell, output, Int32(h))
            return
        }
        lstmCellSIMD8(z: z, bias: bias, previousCell: previousCell, mask: m, cell: cell, tanhCell: tanhCell, output: output, hidden: h)
    }

    /// One backward LSTM step for one utterance: from the activations `gates = [i f g o]`,
    /// `tanh(c)`, the previous cell (nil at the first step) and `∂loss/∂h`, writes `∂loss/∂z` and
    /// replaces `dc` (`∂loss/∂c` carried from the next step) by the part carried to the previous
    /// step. In C with AVX-512 where `lstmCell` is, with the same bits.
    static func lstmCellBackward(gates z: UnsafePointer<Float>, tanhCell tc: UnsafePointer<Float>, previousCell: UnsafePointer<Float>?,
                                 mask m: Float, dh: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>,
                                 dz: UnsafeMutablePointer<Float>, hidden h: Int) {
        if avx512CellKernel {
            parrot_lstm_cell_backward_avx512(z, tc, previousCell, m, dh, dc, dz, Int32(h))
            return
        }
        lstmCellBackwardScalar(gates: z, tanhCell: tc, previousCell: previousCell, mask: m, dh: dh, dc: dc, dz: dz, hidden: h)
    }

    /// `lstmCellBackward` one unit at a time.
    static func lstmCellBackwardScalar(gates z: UnsafePointer<Float>, tanhCell tc: UnsafePointer<Float>, previousCell: UnsafePointer<Float>?,
                                       mask m: Float, dh: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>,
                                       dz: UnsafeMutablePointer<Float>, hidden h: Int) {
        for j in 0..<h {
            let i = z[j], f = z[h + j], gg = z[2 * h + j], og = z[3 * h + j]
            let dhTotal = dh[j]
            let dcTotal = m * (dc[j] + dhTotal * og * (1 - tc[j] * tc[j]))
            let cPrevious = previousCell?[j] ?? 0
            dz[j] = dcTotal * gg * i * (1 - i)
            dz[h + j] = dcTotal * cPrevious * f * (1 - f)
            dz[2 * h + j] = dcTotal * i * (1 - gg * gg)
            dz[3 * h + j] = dhTotal * tc[j] * og * (1 - og)
            dc[j] = dcTotal * f
        }
    }

    /// The C kernel's twin in AVX-512 (sixteen units at a time, the same bits), where the CPU has
    /// AVX-512 and `PARROT_CELL_KERNEL` is not `swift`.
    static let avx512CellKernel: Bool = {
        ProcessInfo.processInfo.environment["PARROT_CELL_KERNEL"] != "swift" && parrot_recurrent_kernel_available() != 0
    }()

    /// `lstmCell` in portable SIMD, eight units at a time.
    static func lstmCellSIMD8(z: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, previousCell: UnsafePointer<Float>?, mask m: Float,
                              cell: UnsafeMutablePointer<Float>, tanhCell: UnsafeMutablePointer<Float>,
                              output: UnsafeMutablePointer<Float>, hidden h: Int) {
        var j = 0
        let mask = SIMD8<Float>(repeating: m)
        // Loop-invariant: at the first step there is no previous cell (read the zeroed-out product instead).
        let hasPrevious = previousCell != nil
        let previous = previousCell ?? UnsafePointer(cell)
        while j + 8 <= h {
            func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
            func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }
            let i = sigmoid8(load(z + j) + load(bias + j)), f = sigmoid8(load(z + h + j) + load(bias + h + j))
            let g = tanh8(load(z + 2 * h + j) + load(bias + 2 * h + j)), o = sigmoid8(load(z + 3 * h + j) + load(bias + 3 * h + j))
            store(i, z + j); store(f, z + h + j); store(g, z + 2 * h + j); store(o, z + 3 * h + j)
            let carried = hasPrevious ? f * load(previous + j) : SIMD8<Float>()
            let c = mask * (carried + i * g)
            let tc = tanh8(c)
            store(c, cell + j); store(tc, tanhCell + j); store(o * tc, output + j)
            j += 8
        }
        if j < h {
            let n = h - j
            for gate in 0..<4 { for k in j..<h { z[gate * h + k] += bias[gate * h + k] } }
            sigmoid(z + j, z + j, n); sigmoid(z + h + j, z + h + j, n)
            tanh(z + 2 * h + j, z + 2 * h + j, n); sigmoid(z + 3 * h + j, z + 3 * h + j, n)
            for k in j..<h { cell[k] = m * ((hasPrevious ? z[h + k] * previous[k] : 0) + z[k] * z[2 * h + k]) }
            tanh(cell + j, tanhCell + j, n)
            for k in j..<h { output[k] = z[3 * h + k] * tanhCell[k] }
        }
    }

    static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { apply(x, y, n, sigmoid8) }
    static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { apply(x, y, n, tanh8) }
}
