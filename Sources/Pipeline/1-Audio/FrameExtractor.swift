import Foundation

/// Cuts a waveform into overlapping frames and prepares each for the FFT, as Kaldi's
/// `feature-window` does: copy (reflecting at the edges when not snipping), remove the DC offset,
/// pre-emphasise, multiply by the window, zero-pad to the FFT size.
struct FrameExtractor {
    let frameLength: Int
    let frameShift: Int
    let snipEdges: Bool
    let removeDCOffset: Bool
    let preemphasis: Float
    /// `frameLength` window weights.
    let window: [Float]

    init(options: FbankOptions) {
        frameLength = options.frameLengthSamples
        frameShift = options.frameShiftSamples
        snipEdges = options.snipEdges
        removeDCOffset = options.removeDCOffset
        preemphasis = options.preemphasisCoefficient
        window = FrameExtractor.windowWeights(options.window, length: options.frameLengthSamples)
    }

    /// Number of frames for `sampleCount` samples (Kaldi's `NumFrames`).
    func frameCount(sampleCount: Int) -> Int {
        if snipEdges {
            return sampleCount < frameLength ? 0 : 1 + (sampleCount - frameLength) / frameShift
        }
        return (sampleCount + frameShift / 2) / frameShift
    }

    /// First sample of frame `index` (may be negative when not snipping edges).
    func firstSample(ofFrame index: Int) -> Int {
        snipEdges ? index * frameShift : index * frameShift + frameShift / 2 - frameLength / 2
    }

    /// Writes frame `index` of `samples`, windowed and zero-padded, into `out` (the FFT input).
    ///
    /// DC removal, pre-emphasis and windowing are fused into one pass that reads the raw frame,
    /// so the loop has no carried dependency and vectorises; the arithmetic is Kaldi's
    /// (`y = x − mean`, then `y[i] − k·y[i−1]`, then `× w[i]`) in the same order.
    /// - Parameter scratch: `frameLength` floats, used for frames that reach past the signal's edges.
    func extract(frame index: Int, from samples: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
                 scratch: UnsafeMutableBufferPointer<Float>) {
        let start = firstSample(ofFrame: index)
        let count = samples.count
        let raw: UnsafePointer<Float>
        if start >= 0 && start + frameLength <= count {
            raw = samples.baseAddress! + start
        } else {
            for i in 0..<frameLength {
                var s = start + i
                while s < 0 || s >= count { s = s < 0 ? -s - 1 : 2 * count - 1 - s }
                scratch[i] = samples[s]
            }
            raw = UnsafePointer(scratch.baseAddress!)
        }
        var mean: Float = 0
        if removeDCOffset {
            mean = VectorKernels.sum(raw, frameLength) / Float(frameLength)
        }
        let k = preemphasis
        window.withUnsafeBufferPointer { w in
            let first = raw[0] - mean
            out[0] = (first - k * first) * w[0]
            for i in 1..<frameLength { out[i] = ((raw[i] - mean) - k * (raw[i - 1] - mean)) * w[i] }
        }
        for i in frameLength..<out.count { out[i] = 0 }
    }

    /// Kaldi's window functions, computed in double precision.
    static func windowWeights(_ type: FbankOptions.WindowType, length: Int) -> [Float] {
        let a = 2 * Double.pi / Double(length - 1)
        return (0..<length).map { i in
            let x = Double(i)
            switch type {
            case .hanning: return Float(0.5 - 0.5 * cos(a * x))
            case .hamming: return Float(0.54 - 0.46 * cos(a * x))
            case .povey: return Float(pow(0.5 - 0.5 * cos(a * x), 0.85))
            case .rectangular: return 1
            case .blackman: return Float(0.42 - 0.5 * cos(a * x) + 0.08 * cos(2 * a * x))
            }
        }
    }
}
