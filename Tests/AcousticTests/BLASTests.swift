import Acoustic
import Testing

@Suite struct BLASTests {
    /// Naive triple loop, the independent reference.
    static func naive(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    sum += (transposeA ? a[p * m + i] : a[i * k + p]) * (transposeB ? b[j * k + p] : b[p * n + j])
                }
                c[i * n + j] = sum
            }
        }
        return c
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesTheNaiveProduct(transposeA: Bool, transposeB: Bool) {
        let m = 5, n = 7, k = 3
        let a = (0..<(m * k)).map { Float($0 % 5) - 1.5 }
        let b = (0..<(k * n)).map { Float($0 % 3) * 0.5 + 0.25 }
        var c = [Float](repeating: 1, count: m * n)
        BLAS.gemm(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: &c, alpha: 2, beta: 1)
        let expected = Self.naive(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB).map { 2 * $0 + 1 }
        for (x, y) in zip(c, expected) { #expect(abs(x - y) < 1e-5) }
    }
}
