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
