import Audio
import KaldiIO
import ParrotTestSupport
import Testing

/// Features must equal Kaldi's `compute-fbank-feats` (dither 0) on real recordings, every value
/// within 1e-3 (reference values in `shared/golden/`, from torchaudio's Kaldi-compatible fbank).
@Suite struct FbankGoldenTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var golden: String
        var audio: String
        var sampleRate: Int
        var bins: Int
        var testDescription: String { golden }
    }

    static let cases: [Case] = [
        Case(golden: "fsdd_7_jackson_32_8k.fbank23.txt", audio: "fsdd/recordings/7_jackson_32.wav", sampleRate: 8000, bins: 23),
        Case(golden: "fsdd_7_jackson_32_8k.fbank40.txt", audio: "fsdd/recordings/7_jackson_32.wav", sampleRate: 8000, bins: 40),
        Case(golden: "yesno_0_0_1_0_1_0_0_1_8k.fbank23.txt", audio: "yesno/waves_yesno/0_0_1_0_1_0_0_1.wav", sampleRate: 8000, bins: 23),
        Case(golden: "yesno_0_0_1_0_1_0_0_1_8k.fbank40.txt", audio: "yesno/waves_yesno/0_0_1_0_1_0_0_1.wav", sampleRate: 8000, bins: 40),
        Case(golden: "fsdd_7_jackson_32_16k.fbank40.txt", audio: "golden:fsdd_7_jackson_32_16k.wav", sampleRate: 16000, bins: 40),
        Case(golden: "fsdd_7_jackson_32_16k.fbank80.txt", audio: "golden:fsdd_7_jackson_32_16k.wav", sampleRate: 16000, bins: 80),
    ]

    static func audioPath(_ spec: String) -> String {
        spec.hasPrefix("golden:") ? TestSupport.golden(String(spec.dropFirst(7))) : TestSupport.corpus(spec)
    }

    @Test(.requiresCorpus(.fsdd, .yesno, .golden), arguments: cases)
    func fbankMatchesKaldiReference(_ c: Case) throws {
        let reference = try #require(try TestSupport.readTextMatrices(TestSupport.golden(c.golden)).values.first)
        let audio = try SoundFile.read(path: Self.audioPath(c.audio))
        #expect(audio.sampleRate == c.sampleRate, "read natively, no resampling")
        var options = FbankOptions()
        options.sampleRate = c.sampleRate
        options.melBinCount = c.bins
        let features = try FbankComputer(options: options).compute(try audio.mono(channel: nil, path: c.audio).samples)
        #expect(features.rows == reference.rows)
        #expect(features.columns == reference.columns)
        let difference = TestSupport.maxAbsoluteDifference(features, reference)
        print("fbank \(c.golden): \(features.rows)×\(features.columns), max |Δ| vs Kaldi reference = \(difference)")
        #expect(difference <= 1e-3, "max |Δ| = \(difference)")
    }

    /// The 16 kHz reference was made by sox from the 8 kHz file; Parrot's own resampler (soxr,
    /// a different filter) gives the same features to within resampler differences.
    @Test(.requiresCorpus(.fsdd, .golden)) func resampledEightKilohertzAudioMatchesSixteenKilohertzReferenceClosely() throws {
        let reference = try #require(try TestSupport.readTextMatrices(TestSupport.golden("fsdd_7_jackson_32_16k.fbank40.txt")).values.first)
        let audio = try SoundFile.read(path: TestSupport.corpus("fsdd/recordings/7_jackson_32.wav"))
        let resampled = try Resampler.resample(try audio.mono(channel: nil, path: ""), to: 16000)
        let features = try FbankComputer(options: FbankOptions()).compute(resampled.samples)
        #expect(features.rows == reference.rows)
        // Bins below the original 4 kHz Nyquist carry the speech; above it both resamplers leave
        // only filter leakage at very low level, where log values differ more.
        var worstBelowNyquist: Float = 0
        let speechBins = 0..<28   // Mel bins whose centres are below ~3.4 kHz at 16 kHz / 40 bins
        for t in 0..<features.rows { for b in speechBins { worstBelowNyquist = max(worstBelowNyquist, abs(features[t, b] - reference[t, b])) } }
        print("fbank of soxr-resampled 8→16 kHz vs sox-resampled reference, bins 0..<28: max |Δ| = \(worstBelowNyquist)")
        #expect(worstBelowNyquist < 0.05, "max |Δ| below 3.4 kHz = \(worstBelowNyquist)")
    }

    @Test func frameCountFollowsSnipEdgesRule() throws {
        var options = FbankOptions()
        options.sampleRate = 8000
        let fbank = try FbankComputer(options: options)
        // 200-sample frames every 80 samples: 1 + (N − 200) / 80.
        #expect(fbank.frameCount(sampleCount: 199) == 0)
        #expect(fbank.frameCount(sampleCount: 200) == 1)
        #expect(fbank.frameCount(sampleCount: 279) == 1)
        #expect(fbank.frameCount(sampleCount: 280) == 2)
        options.snipEdges = false
        let centred = try FbankComputer(options: options)
        #expect(centred.frameCount(sampleCount: 199) == 2)   // (199 + 40) / 80
        #expect(centred.compute([Float](repeating: 100, count: 199)).rows == 2)
    }

    @Test func tooManyMelBinsForTheFFTIsRejected() {
        var options = FbankOptions()
        options.sampleRate = 8000
        options.melBinCount = 128
        #expect(throws: AudioError.self) { _ = try FbankComputer(options: options) }
    }
}
