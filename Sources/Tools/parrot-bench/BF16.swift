import COpenBLAS
import CRecurrentKernel
import Foundation

// parrot-bench bf16
//   Times y = x · Wᵀ for the BiLSTM's shapes (3 × 256: the recurrent product of a batch of 16,
//   and the input projections of 16 × 400 frames) with OpenBLAS's SGEMM, Parrot's packed FP32
//   kernel and its packed BF16 kernel (AVX512_BF16), best of 20 each; prints GFLOP/s and the
//   BF16 result's largest relative error against FP32.
func benchBF16() {
    guard parrot_bf16_available() != 0 else { fail("this CPU has no AVX512_BF16") }
    var random = SystemRandomNumberGenerator()
    /// GFLOP/s of `body` (an m × n × k product), from its fastest of `repeats` runs.
    func gflops(_ m: Int, _ n: Int, _ k: Int, repeats: Int, _ body: () -> Void) -> Double {
        var fastest = Double.infinity
        for _ in 0..<repeats { let s = now(); body(); fastest = min(fastest, now() - s) }
        return 2 * Double(m * n * k) / fastest / 1e9
    }
    print("shape\tsgemm GFLOP/s\tpacked fp32 GFLOP/s\tpacked bf16 GFLOP/s\tbf16 largest error")
    for (m, n, k, name) in [(16, 1024, 256, "recurrent 16×256→1024"), (6400, 1024, 40, "input 6400×40→1024"), (6400, 1024, 512, "input 6400×512→1024")] {
        let x = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &random) }
        let w = (0..<(n * k)).map { _ in Float.random(in: -0.1...0.1, using: &random) }
        var y = [Float](repeating: 0, count: m * n), reference = y
        var packed = [Float](repeating: 0, count: parrot_packed_size(Int32(n), Int32(k)))
        parrot_pack_rows(w, Int32(n), Int32(k), &packed)
        var packedBF16 = [UInt16](repeating: 0, count: parrot_packed_bf16_size(Int32(n), Int32(k)))
        parrot_pack_rows_bf16(w, Int32(n), Int32(k), &packedBF16)
        func best(_ body: () -> Void) -> Double { gflops(m, n, k, repeats: 20, body) }
        let sgemm = best { cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1, x, Int32(k), w, Int32(k), 0, &reference, Int32(n)) }
        let fp32 = best { parrot_packed_product(Int32(m), Int32(n), Int32(k), x, Int32(k), packed, &y, Int32(n), 0) }
        let bf16 = best { parrot_packed_product_bf16(Int32(m), Int32(n), Int32(k), x, Int32(k), packedBF16, &y, Int32(n), 0) }
        let scale = reference.map(abs).max() ?? 1
        print(String(format: "%@\t%.0f\t%.0f\t%.0f\t%.2e", name, sgemm, fp32, bf16, zip(y, reference).map { abs($0 - $1) }.max()! / scale))
    }
    // The weight gradient of an input projection, ∂W[1024 × 512] = ∂zᵀ · x summed over 6,400 frames:
    // SGEMM with ∂z transposed, and the BF16 kernel reading ∂z transposed with the frames packed.
    do {
        let (m, n, k) = (1024, 512, 6400)
        let dz = (0..<(k * m)).map { _ in Float.random(in: -1...1, using: &random) }   // k × m
        let x = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &random) }    // k × n
        var y = [Float](repeating: 0, count: m * n), reference = y
        var packedBF16 = [UInt16](repeating: 0, count: parrot_packed_bf16_size(Int32(n), Int32(k)))
        func best(_ body: () -> Void) -> Double { gflops(m, n, k, repeats: 10, body) }
        let sgemm = best { cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, dz, Int32(m), x, Int32(n), 0, &reference, Int32(n)) }
        let bf16 = best {
            parrot_pack_columns_bf16(x, Int32(n), Int32(k), Int32(n), &packedBF16)
            parrot_packed_product_bf16_transposed(Int32(m), Int32(n), Int32(k), dz, Int32(m), packedBF16, &y, Int32(n), 0)
        }
        let scale = reference.map(abs).max() ?? 1
        let error = zip(y, reference).map { abs($0 - $1) }.max()! / scale
        print(String(format: "%@\t%.0f\t-\t%.0f\t%.2e", "weight gradient 1024×6400→512 (packing included)", sgemm, bf16, error))
    }
}
