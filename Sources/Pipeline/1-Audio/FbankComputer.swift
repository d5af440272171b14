import Core
import KaldiIO

/// Computes Kaldi-compatible log-Mel filterbank features (`compute-fbank-feats` with dither 0).
///
/// One computer owns one FFT plan and its buffers; use one per thread. Computing features of a
/// waveform allocates only the output matrix.
///
/// ```swift
/// let fbank = try FbankComputer(options: FbankOptions())
/// let features = fbank.compute(waveform.samples)   // frames × 40
/// ```
public final class FbankComputer {
    public let options: FbankOptions
    private let frames: FrameExtractor
    private let filterbank: MelFilterbank
    private let fft: RealFFT
    private var power: [Float]
    private var scratch: [Float]

    /// - Throws: `AudioError.invalidOptions` for inconsistent options.
    public init(options: FbankOptions) throws {
        try options.validate()
        self.options = options
        frames = FrameExtractor(options: options)
        filterbank = try MelFilterbank(options: options)
        fft = RealFFT(size: options.fftSize)
        power = [Float](repeating: 0, count: options.fftSize / 2 + 1)
        scratch = [Float](repeating: 0, count: options.frameLengthSamples)
    }

    /// Feature dimension (number of Mel bins).
    public var dimension: Int { options.melBinCount }

    /// Number of frames `compute` returns for `sampleCount` samples.
    public func frameCount(sampleCount: Int) -> Int { frames.frameCount(sampleCount: sampleCount) }

    /// Log-Mel features of samples at `options.sampleRate`, in 16-bit integer scale.
    /// - Returns: `frames × melBinCount`; zero rows when the signal is shorter than one frame.
    /// - Parameter sampleOffset: where `input` starts in a longer signal (for `FbankStream`): the
    ///   dither noise follows the position in the whole signal.
    public func compute(_ input: [Float], sampleOffset: Int = 0) -> Matrix {
        var samples = input
        if let dither = options.dither, dither > 0 { FbankComputer.addDither(dither, to: &samples, offset: sampleOffset) }
        let frameCount = frames.frameCount(sampleCount: samples.count)
        var features = Matrix(rows: frameCount, columns: filterbank.binCount)
        if frameCount == 0 { return features }
        let fftInput = fft.inputBuffer
        samples.withUnsafeBufferPointer { signal in
            power.withUnsafeMutableBufferPointer { power in
                scratch.withUnsafeMutableBufferPointer { scratch in
                features.values.withUnsafeMutableBufferPointer { out in
                    for t in 0..<frameCount {
                        frames.extract(frame: t, from: signal, into: fftInput, scratch: scratch)
                        fft.powerSpectrum(into: power)
                        let row = UnsafeMutableBufferPointer(rebasing: out[(t * filterbank.binCount)..<((t + 1) * filterbank.binCount)])
                        filterbank.apply(power: UnsafeBufferPointer(power), into: row, logarithm: true)
                    }
                }
                }
            }
        }
        return features
    }

    /// A fixed table of standard-normal values (Box–Muller from a seeded generator), cycled
    /// through for dither: cheap, reproducible, and with a period far above any frame.
    private static let ditherNoise: [Float] = {
        var random = SeededGenerator(seed: 0xD17E_0000_0001)
        return (0..<(1 << 16)).map { _ in Float(random.gaussian()) }
    }()

    static func addDither(_ amount: Float, to samples: inout [Float], offset: Int = 0) {
        let noise = ditherNoise
        let mask = noise.count - 1
        for i in samples.indices { samples[i] += amount * noise[(i + offset) & mask] }
    }
}

/// Log-Mel features of a signal that arrives in blocks, for recordings too long to hold whole:
/// equal to `FbankComputer.compute` of the whole signal, holding only the features and less than
/// a block of samples. Needs snip-edges framing (frames never reach past the signal's ends).
public final class FbankStream {
    private let computer: FbankComputer
    private var pending: [Float] = []
    private var pendingStart = 0
    private var values: [Float] = []
    private var rows = 0
    /// Samples gathered before frames are computed from them.
    private let blockSamples: Int

    /// - Parameter expectedFrames: room reserved for the features (e.g. from the file's header).
    public init(computer: FbankComputer, expectedFrames: Int = 0) throws {
        guard computer.options.snipEdges else { throw AudioError.invalidOptions(reason: "streamed features need --snip-edges true") }
        self.computer = computer
        blockSamples = max(1 << 18, 4 * computer.options.frameLengthSamples)
        values.reserveCapacity(expectedFrames * computer.dimension)
    }

    /// Adds the next samples of the signal.
    public func append(_ samples: [Float]) {
        pending += samples
        if pending.count >= blockSamples { computeFrames() }
    }

    /// The features of everything appended.
    public func finish() -> Matrix {
        computeFrames()
        return Matrix(rows: rows, columns: computer.dimension, values: values)
    }

    /// Every frame that lies wholly in `pending`; the samples before the next frame's start are dropped.
    private func computeFrames() {
        let count = computer.frameCount(sampleCount: pending.count)
        guard count > 0 else { return }
        values += computer.compute(pending, sampleOffset: pendingStart).values
        rows += count
        let used = count * computer.options.frameShiftSamples
        pending.removeFirst(used)
        pendingStart += used
    }
}
