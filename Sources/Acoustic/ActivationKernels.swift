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

    static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { apply(x, y, n, sigmoid8) }
    static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { apply(x, y, n, tanh8) }
}
