import Audio
import Foundation
import ParrotTestSupport
import Testing

@Suite struct SoundFileTests {
    /// A reference signal exactly representable in 16 bits: a chirp-like mix, 0.25 s at 16 kHz.
    static let reference: [Float] = (0..<4000).map { i in
        let t = Double(i) / 16000
        let v = 0.4 * sin(2 * .pi * 440 * t) + 0.2 * sin(2 * .pi * 2930 * t * (1 + t))
        return Float((v * 32768).rounded()) / 32768
    }

    static func makeReference(in dir: String) throws -> String {
        let path = dir + "/ref.wav"
        try WaveFile.write(to: path, samples: reference, sampleRate: 16000)
        return path
    }

    @Test func sixteenBitPCMComesOutInIntegerScale() throws {
        let dir = try TestSupport.temporaryDirectory()
        let audio = try SoundFile.read(path: try Self.makeReference(in: dir))
        #expect(audio.sampleRate == 16000)
        #expect(audio.channels == 1)
        #expect(audio.interleaved == Self.reference.map { $0 * 32768 })
    }

    /// Converted by sox (a real encoder) into every format libsndfile reads; lossless ones must
    /// give back the 16-bit values exactly, 8-bit within its quantisation step, Vorbis closely.
    @Test(arguments: [
        ("pcm8.wav", ["-b", "8", "-e", "unsigned-integer"], 128.0),
        ("pcm24.wav", ["-b", "24"], 0.0),
        ("pcm32.wav", ["-b", "32"], 0.0),
        ("float.wav", ["-e", "floating-point", "-b", "32"], 0.0),
        ("flac.flac", [], 0.0),
        ("aiff.aiff", [], 0.0),
        ("alaw.wav", ["-e", "a-law"], 1100.0),
    ])
    func everyFormatDecodesToTheSameSamples(file: String, soxOptions: [String], tolerance: Double) throws {
        let dir = try TestSupport.temporaryDirectory()
        let reference = try Self.makeReference(in: dir)
        let sox = try TestSupport.run("/usr/bin/env", ["sox", "-D", reference] + soxOptions + [dir + "/" + file])
        try #require(sox.status == 0, "sox failed (./setup.sh installs it): \(sox.standardError)")
        let audio = try SoundFile.read(path: dir + "/" + file)
        #expect(audio.interleaved.count == Self.reference.count)
        let worst = zip(audio.interleaved, Self.reference).map { abs(Double($0.0) - Double($0.1) * 32768) }.max() ?? .infinity
        #expect(worst <= tolerance, "\(file) (\(audio.formatDescription)): max error \(worst)")
    }

    @Test func oggVorbisDecodesCloseToTheOriginal() throws {
        let dir = try TestSupport.temporaryDirectory()
        let reference = try Self.makeReference(in: dir)
        let sox = try TestSupport.run("/usr/bin/env", ["sox", reference, "-C", "8", dir + "/v.ogg"])
        try #require(sox.status == 0, "sox failed: \(sox.standardError)")
        let audio = try SoundFile.read(path: dir + "/v.ogg")
        #expect(audio.formatDescription.contains("OGG"))
        let n = min(audio.interleaved.count, Self.reference.count)
        var signal = 0.0, noise = 0.0
        for i in 0..<n {
            let r = Double(Self.reference[i]) * 32768
            signal += r * r
            noise += (Double(audio.interleaved[i]) - r) * (Double(audio.interleaved[i]) - r)
        }
        #expect(10 * log10(signal / noise) > 15, "Vorbis SNR too low")
    }

    @Test func waveFormatExtensibleIsRead() throws {
        let dir = try TestSupport.temporaryDirectory()
        try WaveFile.write(to: dir + "/ext.wav", samples: Self.reference, sampleRate: 16000, encoding: .pcm24, extensible: true)
        let audio = try SoundFile.read(path: dir + "/ext.wav")
        let worst = zip(audio.interleaved, Self.reference).map { abs($0.0 - $0.1 * 32768) }.max() ?? .infinity
        #expect(worst < 0.01)
    }

    @Test func multichannelIsDownmixedOrOneChannelPicked() throws {
        let dir = try TestSupport.temporaryDirectory()
        // Channel 0: 0.5, channel 1: -0.25, interleaved.
        let samples = (0..<100).flatMap { _ in [Float(0.5), Float(-0.25)] }
        try WaveFile.write(to: dir + "/st.wav", samples: samples, channels: 2, sampleRate: 8000)
        let audio = try SoundFile.read(path: dir + "/st.wav")
        #expect(audio.channels == 2)
        #expect(try audio.mono(channel: nil, path: "st").samples.allSatisfy { $0 == 0.125 * 32768 })
        #expect(try audio.mono(channel: 1, path: "st").samples.allSatisfy { $0 == -0.25 * 32768 })
        let error = try #require(throws: AudioError.self) { _ = try audio.mono(channel: 2, path: "st.wav") }
        #expect(error == .channelOutOfRange(path: "st.wav", channel: 2, channels: 2))
    }

    @Test func inMemoryDecodingEqualsFileDecoding() throws {
        let dir = try TestSupport.temporaryDirectory()
        let path = try Self.makeReference(in: dir)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let fromMemory = try SoundFile.decode(bytes: bytes, description: "memory")
        #expect(fromMemory.interleaved == (try SoundFile.read(path: path)).interleaved)
    }

    // MARK: bad input: each a clear, specific error naming the file

    @Test func missingFile() {
        #expect(throws: AudioError.fileNotFound(path: "/nonexistent/x.wav")) { _ = try SoundFile.read(path: "/nonexistent/x.wav") }
    }

    @Test func zeroByteFile() throws {
        let dir = try TestSupport.temporaryDirectory()
        FileManager.default.createFile(atPath: dir + "/empty.wav", contents: Data())
        #expect(throws: AudioError.emptyFile(path: dir + "/empty.wav")) { _ = try SoundFile.read(path: dir + "/empty.wav") }
    }

    @Test func textFileNamedWav() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("this is not audio\n", to: dir + "/text.wav")
        let error = try #require(throws: AudioError.self) { _ = try SoundFile.read(path: dir + "/text.wav") }
        guard case let .unreadableFile(path, reason) = error else { Issue.record("got \(error)"); return }
        #expect(path == dir + "/text.wav")
        #expect(!reason.isEmpty)
    }

    @Test func truncatedHeader() throws {
        let dir = try TestSupport.temporaryDirectory()
        let bytes = WaveFile.bytes(samples: Self.reference, sampleRate: 16000)
        try Data(bytes[0..<20]).write(to: URL(fileURLWithPath: dir + "/cut.wav"))
        #expect(throws: AudioError.self) { _ = try SoundFile.read(path: dir + "/cut.wav") }
    }

    /// libsndfile quietly shortens a data chunk that runs past the end of the file; Parrot reads its
    /// header log and refuses the file, for WAV and (fuzz-audio finding: indented log lines) AIFF,
    /// whole or streamed.
    @Test func dataChunksLongerThanTheFileAreTruncationErrors() throws {
        let dir = try TestSupport.temporaryDirectory()
        try WaveFile.write(to: dir + "/short.wav", samples: Self.reference, sampleRate: 16000, declaredDataBytes: 2 * Self.reference.count + 20_000)
        try WaveFile.write(to: dir + "/whole.wav", samples: Self.reference, sampleRate: 16000)
        let sox = try TestSupport.run("/usr/bin/env", ["sox", dir + "/whole.wav", dir + "/whole.aiff"])
        try #require(sox.status == 0, "\(sox.standardError)")
        let aiff = try Data(contentsOf: URL(fileURLWithPath: dir + "/whole.aiff"))
        try aiff.prefix(aiff.count * 2 / 3).write(to: URL(fileURLWithPath: dir + "/short.aiff"))
        for name in ["short.wav", "short.aiff"] {
            for read in [{ _ = try SoundFile.read(path: dir + "/" + name) }, { let s = try SoundFileStream(path: dir + "/" + name, channel: nil); while !(try s.read()).isEmpty {} }] {
                let error = try #require(throws: AudioError.self, "\(name)") { try read() }
                guard case let .truncatedFile(_, declared, present) = error else { Issue.record("\(name): \(error)"); continue }
                #expect(declared > present, "\(name)")
            }
        }
        #expect(try SoundFile.read(path: dir + "/whole.aiff").frameCount == Self.reference.count)
    }

    /// fuzz-audio finding: an AIFF header saying 1 Hz made resampling to 16 kHz take 14 s for 786
    /// samples. Rates outside 1 kHz – 1 MHz are refused.
    @Test func implausibleSampleRatesAreRefused() throws {
        let dir = try TestSupport.temporaryDirectory()
        for rate in [1, 999, 2_000_000] {
            try WaveFile.write(to: dir + "/r.wav", samples: Array(Self.reference.prefix(100)), sampleRate: rate)
            let error = try #require(throws: AudioError.self) { _ = try SoundFile.read(path: dir + "/r.wav") }
            #expect("\(error)".contains("sample rate of \(rate) Hz"), "\(error)")
            #expect(throws: AudioError.self) { _ = try SoundFileStream(path: dir + "/r.wav", channel: nil) }
        }
        try WaveFile.write(to: dir + "/ok.wav", samples: Array(Self.reference.prefix(100)), sampleRate: 1000)
        #expect(try SoundFile.read(path: dir + "/ok.wav").sampleRate == 1000)
    }

    /// fuzz-audio finding: a 195-byte FLAC whose stream header claims 1,231,975,456 frames made
    /// the decoder reserve 4.9 GB before reading. The count is now only a capped hint, and the
    /// damaged stream is an error naming the file.
    @Test func aFrameCountFarBeyondTheDataIsATruncationNotAnAllocation() throws {
        let flac: [UInt8] = [
            0x66, 0x4C, 0x61, 0x43, 0x00, 0x00, 0x00, 0x22, 0x10, 0x00, 0x10, 0x00, 0x00, 0x01, 0xAF, 0x00,
            0x01, 0xAF, 0x03, 0xE8, 0x00, 0xF0, 0x49, 0x6E, 0x74, 0x20, 0x92, 0xFA, 0x9E, 0x66, 0x4B, 0x9C,
            0x7C, 0xEA, 0x03, 0x74, 0xBA, 0x0E, 0x4A, 0xCE, 0x56, 0xDD, 0x84, 0x00, 0x00, 0x44, 0x20, 0x00,
            0x00, 0x00, 0x72, 0x65, 0x66, 0x65, 0x72, 0x65, 0x6E, 0x63, 0x65, 0x20, 0x6C, 0x69, 0x62, 0x46,
            0x4C, 0x41, 0x43, 0x20, 0x31, 0x2E, 0x38, 0x2E, 0x32, 0x20, 0x32, 0x30, 0x32, 0x32, 0x31, 0x30,
            0x32, 0x32, 0x01, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x08, 0x43, 0x6F, 0x6D, 0x6D, 0x65, 0x6E,
            0x74, 0x3D, 0x50, 0x72, 0x6F, 0x63, 0x65, 0x73, 0x73, 0x65, 0x64, 0x20, 0x62, 0x79, 0x20, 0x53,
            0x6F, 0x58, 0xFF, 0xF8, 0x75, 0x08, 0x00, 0x03, 0x1F, 0x95, 0x48, 0x01, 0x84, 0x0F, 0x40, 0x1E,
            0xB6, 0x2C, 0x9A, 0x39, 0x9C, 0xB4, 0xB2, 0x7D, 0x2B, 0x77, 0x29, 0xFA, 0xF4, 0x00, 0xAC, 0x01,
            0x9A, 0xD2, 0xDB, 0x83, 0x3B, 0x02, 0x6A, 0x47, 0xDE, 0xD9, 0x72, 0x59, 0xA9, 0x26, 0x64, 0x18,
            0xF3, 0xA5, 0x99, 0x45, 0x98, 0x59, 0x86, 0x98, 0x95, 0x35, 0xDE, 0xAD, 0xCB, 0x56, 0xA2, 0xE1,
            0x9B, 0x18, 0x22, 0x31, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x2C, 0x66,
        ]
        // And one of unknown length, which libsndfile reports as SF_COUNT_MAX frames (the cap was
        // first computed by multiplying that by the channel count, which overflowed).
        let unknownLength: [UInt8] = [
            0x66, 0x4C, 0x61, 0x43, 0x00, 0x00, 0x00, 0x22, 0x10, 0x00, 0x10, 0x00, 0x00, 0x01, 0xAF, 0x01,
            0x00, 0xAF, 0x49, 0x6E, 0x74, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x3C,
            0x03, 0x20, 0x92, 0xFA, 0x9E, 0x66, 0x4B, 0x9C, 0x7C, 0xEA, 0x03, 0x74, 0xBA, 0x0E, 0x4A, 0xCE,
            0x56, 0xDD, 0x84, 0x00, 0xAF, 0x7D, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD,
            0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD,
            0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD,
            0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD,
            0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD, 0xCD,
            0xCD, 0xCD, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x20, 0x00, 0x66, 0x61, 0x32,
        ]
        for (bytes, name) in [(flac, "fuzz.flac"), (unknownLength, "unknown-length.flac")] {
            let error = try #require(throws: AudioError.self) { _ = try SoundFile.decode(bytes: bytes, description: name) }
            #expect("\(error)".hasPrefix(name + ": "), "\(error)")   // libFLAC loses sync in the garbage after the header
        }
    }

    @Test func nanSamplesInSixChannelFloatAt96kHzAreRejected() throws {
        let dir = try TestSupport.temporaryDirectory()
        var samples = [Float](repeating: 0.1, count: 6 * 9600)
        samples[17] = .nan
        samples[400] = .infinity
        try WaveFile.write(to: dir + "/nan.wav", samples: samples, channels: 6, sampleRate: 96000, encoding: .float32)
        #expect(throws: AudioError.nonFiniteSamples(path: dir + "/nan.wav", count: 2)) { _ = try SoundFile.read(path: dir + "/nan.wav") }
    }

    /// The mono reader's vectorised path counts non-finite samples as the general one does; a
    /// file of finite samples reads whole, at 16-bit scale, in one piece.
    @Test func theMonoStreamFindsNonFiniteSamplesAndReadsTheRestExactly() throws {
        let dir = try TestSupport.temporaryDirectory()
        var samples = (0..<70_000).map { Float(sin(Double($0) * 0.01) * 0.5) }
        try WaveFile.write(to: dir + "/ok.wav", samples: samples, channels: 1, sampleRate: 16000, encoding: .float32)
        let whole = try SoundFileStream(path: dir + "/ok.wav", channel: nil).readAll()
        #expect(whole.samples == samples.map { $0 * 32768 })
        samples[3] = .nan
        samples[69_999] = -.infinity
        samples[40_000] = .infinity
        try WaveFile.write(to: dir + "/bad.wav", samples: samples, channels: 1, sampleRate: 16000, encoding: .float32)
        #expect(throws: AudioError.nonFiniteSamples(path: dir + "/bad.wav", count: 3)) { _ = try SoundFileStream(path: dir + "/bad.wav", channel: nil).readAll() }
    }

    @Test func zeroSamples() throws {
        let dir = try TestSupport.temporaryDirectory()
        try WaveFile.write(to: dir + "/zero.wav", samples: [], sampleRate: 16000)
        #expect(throws: AudioError.noSamples(path: dir + "/zero.wav")) { _ = try SoundFile.read(path: dir + "/zero.wav") }
    }
}
