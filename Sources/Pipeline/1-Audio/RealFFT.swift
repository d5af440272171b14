import CFFTW
import Foundation

/// A real-input FFT of one fixed size through single-precision FFTW, producing power spectra.
///
/// The plan is made once (FFTW's planner is not thread-safe, so planning is serialised behind a
/// lock; executing plans is thread-safe) and reused for every frame; the input and output buffers
/// are owned here and reused, so computing a spectrum allocates nothing. This is the only file
/// that touches FFTW.
final class RealFFT {
    /// Transform size (number of real input samples).
    let size: Int
    private let input: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<fftwf_complex>
    private let plan: fftwf_plan

    /// FFTW's planner shares state between threads: plan creation and destruction take this lock.
    private static let plannerLock = NSLock()
    static func lockPlanner() { plannerLock.lock() }
    static func unlockPlanner() { plannerLock.unlock() }

    init(size: Int) {
        precondition(size >= 2, "FFT size must be at least 2")
        self.size = size
        input = fftwf_alloc_real(size)!
        output = fftwf_alloc_complex(size / 2 + 1)!
        RealFFT.plannerLock.lock()
        // FFTW_ESTIMATE picks the same algorithm every run, so features are bit-reproducible.
        plan = fftwf_plan_dft_r2c_1d(Int32(size), input, output, UInt32(FFTW_ESTIMATE) | UInt32(FFTW_DESTROY_INPUT))
        RealFFT.plannerLock.unlock()
    }

    deinit {
        RealFFT.plannerLock.lock()
        fftwf_destroy_plan(plan)
        RealFFT.plannerLock.unlock()
        fftwf_free(input)
        fftwf_free(output)
    }

    /// The `size` real input samples; fill them, then call `powerSpectrum(into:)`.
    var inputBuffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: input, count: size) }

    /// Transforms the input buffer and writes `|X[k]|²` for `k = 0 … size/2` into `power`.
    /// The input buffer's contents are destroyed.
    func powerSpectrum(into power: UnsafeMutableBufferPointer<Float>) {
        precondition(power.count >= size / 2 + 1)
        fftwf_execute(plan)
        output.withMemoryRebound(to: Float.self, capacity: size + 2) { interleaved in
            for k in 0...(size / 2) {
                let re = interleaved[2 * k], im = interleaved[2 * k + 1]
                power[k] = re * re + im * im
            }
        }
    }
}

/// Linear convolution of two real signals through FFTW (for room reverberation): both are
/// transformed at the next power of two that holds the full result, multiplied, and transformed
/// back. Plans are made per call with FFTW_ESTIMATE (deterministic and cheap), under the planner lock.
enum FFTConvolution {
    /// The first `length` samples of `signal ∗ kernel` (the full convolution if `length` is nil).
    static func convolve(_ signal: [Float], _ kernel: [Float], length: Int? = nil) -> [Float] {
        guard !signal.isEmpty, !kernel.isEmpty else { return [] }
        let full = signal.count + kernel.count - 1
        var size = 1
        while size < full { size <<= 1 }
        size = max(size, 2)
        let bins = size / 2 + 1
        let a = fftwf_alloc_real(size)!, b = fftwf_alloc_real(size)!
        let fa = fftwf_alloc_complex(bins)!, fb = fftwf_alloc_complex(bins)!
        defer { fftwf_free(a); fftwf_free(b); fftwf_free(fa); fftwf_free(fb) }
        for (buffer, values) in [(a, signal), (b, kernel)] {
            values.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: values.count) }
            (buffer + values.count).initialize(repeating: 0, count: size - values.count)
        }
        RealFFT.lockPlanner()
        let forwardA = fftwf_plan_dft_r2c_1d(Int32(size), a, fa, UInt32(FFTW_ESTIMATE))
        let forwardB = fftwf_plan_dft_r2c_1d(Int32(size), b, fb, UInt32(FFTW_ESTIMATE))
        let backward = fftwf_plan_dft_c2r_1d(Int32(size), fa, a, UInt32(FFTW_ESTIMATE))
        RealFFT.unlockPlanner()
        fftwf_execute(forwardA)
        fftwf_execute(forwardB)
        fa.withMemoryRebound(to: Float.self, capacity: 2 * bins) { x in
            fb.withMemoryRebound(to: Float.self, capacity: 2 * bins) { y in
                for k in 0..<bins {
                    let re = x[2 * k] * y[2 * k] - x[2 * k + 1] * y[2 * k + 1]
                    let im = x[2 * k] * y[2 * k + 1] + x[2 * k + 1] * y[2 * k]
                    x[2 * k] = re
                    x[2 * k + 1] = im
                }
            }
        }
        fftwf_execute(backward)
        RealFFT.lockPlanner()
        fftwf_destroy_plan(forwardA)
        fftwf_destroy_plan(forwardB)
        fftwf_destroy_plan(backward)
        RealFFT.unlockPlanner()
        let count = min(length ?? full, full)
        let scale = 1 / Float(size)
        return (0..<count).map { a[$0] * scale }
    }
}
