import CSoxr

/// Band-limited sample-rate conversion with libsoxr at its very-high-quality setting
/// (passband to about 91% of the lower Nyquist frequency, stop-band rejection beyond 140 dB).
/// This is the only file that touches libsoxr.
public enum Resampler {
    /// `waveform` at `targetRate` Hz; returned unchanged when the rates already match.
    /// - Throws: `AudioError.resamplingFailed`.
    public static func resample(_ waveform: Waveform, to targetRate: Int, path: String = "") throws -> Waveform {
        guard targetRate != waveform.sampleRate else { return waveform }
        guard targetRate > 0 else { throw AudioError.invalidOptions(reason: "sample rate must be positive, got \(targetRate)") }
        let inputCount = waveform.samples.count
        let outputCount = Int((Double(inputCount) * Double(targetRate) / Double(waveform.sampleRate)).rounded())
        var output = [Float](repeating: 0, count: outputCount)
        if inputCount == 0 || outputCount == 0 { return Waveform(samples: [], sampleRate: targetRate) }
        var ioSpec = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var qualitySpec = soxr_quality_spec(UInt(SOXR_VHQ), 0)
        var produced = 0
        let error: soxr_error_t? = waveform.samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                soxr_oneshot(Double(waveform.sampleRate), Double(targetRate), 1,
                             input.baseAddress, inputCount, nil,
                             out.baseAddress, outputCount, &produced,
                             &ioSpec, &qualitySpec, nil)
            }
        }
        if let error {
            throw AudioError.resamplingFailed(path: path, reason: String(cString: error))
        }
        if produced < outputCount { output.removeLast(outputCount - produced) }
        return Waveform(samples: output, sampleRate: targetRate)
    }
}
