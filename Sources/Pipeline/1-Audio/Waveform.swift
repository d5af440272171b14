/// Mono audio as `Float` samples in 16-bit integer scale (±32768, Kaldi's convention), whatever
/// the file's sample format.
public struct Waveform: Equatable, Sendable {
    /// Samples in 16-bit integer scale.
    public var samples: [Float]
    /// Sample rate in Hz.
    public var sampleRate: Int

    public init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }

    /// Duration in seconds.
    public var durationSeconds: Double { Double(samples.count) / Double(sampleRate) }

    /// Samples `[startSeconds, endSeconds)`, clamped to the recording; `endSeconds` ≤ 0 means to the end
    /// (Kaldi's `segments` convention for -1).
    public func segment(startSeconds: Double, endSeconds: Double) -> Waveform {
        let first = min(samples.count, max(0, Int((startSeconds * Double(sampleRate)).rounded())))
        let last = endSeconds <= 0 ? samples.count : min(samples.count, max(first, Int((endSeconds * Double(sampleRate)).rounded())))
        return Waveform(samples: Array(samples[first..<last]), sampleRate: sampleRate)
    }
}

/// Audio as decoded from a file: interleaved samples of every channel, 16-bit integer scale.
public struct DecodedAudio: Sendable {
    /// `frames × channels` samples, interleaved.
    public var interleaved: [Float]
    public var channels: Int
    public var sampleRate: Int
    /// libsndfile's name of the container and encoding, e.g. "WAV PCM 16-bit".
    public var formatDescription: String

    public var frameCount: Int { channels == 0 ? 0 : interleaved.count / channels }

    /// One channel (0-based), or the average of all channels when `channel` is nil.
    /// - Throws: `AudioError.channelOutOfRange`.
    public func mono(channel: Int?, path: String) throws -> Waveform {
        let frames = frameCount
        if channels == 1 { return Waveform(samples: interleaved, sampleRate: sampleRate) }
        var out = [Float](repeating: 0, count: frames)
        if let channel {
            guard channel >= 0 && channel < channels else {
                throw AudioError.channelOutOfRange(path: path, channel: channel, channels: channels)
            }
            for f in 0..<frames { out[f] = interleaved[f * channels + channel] }
        } else {
            let scale = 1 / Float(channels)
            interleaved.withUnsafeBufferPointer { src in
                for f in 0..<frames {
                    var sum: Float = 0
                    for c in 0..<channels { sum += src[f * channels + c] }
                    out[f] = sum * scale
                }
            }
        }
        return Waveform(samples: out, sampleRate: sampleRate)
    }
}
