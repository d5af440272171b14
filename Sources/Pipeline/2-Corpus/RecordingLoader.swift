import Foundation
import Audio

/// Loads utterances as mono waveforms at the configured rate: decode the recording (file or
/// command), pick or mix channels, resample, cut the segment.
///
/// Keeps the last decoded recording, so the many segments of one long recording (sorted, as
/// Kaldi data directories are) decode it once. Not thread-safe: use one loader per worker.
public final class RecordingLoader {
    public let options: AudioLoadingOptions
    private var cachedRecording: String?
    private var cachedWaveform: Waveform?
    private let resampler = Resampler()

    public init(options: AudioLoadingOptions) {
        self.options = options
    }

    /// The utterance's audio.
    /// - Throws: `AudioError` or `CorpusError`, naming the recording's path or command.
    public func waveform(of utterance: Utterance) throws -> Waveform {
        let recording: Waveform
        if utterance.recording == cachedRecording, let cachedWaveform {
            recording = cachedWaveform
        } else {
            cachedRecording = nil
            cachedWaveform = nil
            let decoded = try utterance.source.decode(pipeTimeoutSeconds: options.pipeTimeoutSeconds)
            let mono = try decoded.mono(channel: options.channel, path: utterance.source.description)
            recording = try resampler.resample(mono, to: options.sampleRate, path: utterance.source.description)
            if utterance.segment != nil {
                cachedRecording = utterance.recording
                cachedWaveform = recording
            }
        }
        guard let segment = utterance.segment else { return recording }
        if segment.startSeconds >= recording.durationSeconds {
            throw CorpusError.badSegment(utterance: utterance.id, reason: "starts at \(segment.startSeconds) s, after the end of '\(utterance.recording)' (\(String(format: "%.3f", recording.durationSeconds)) s)")
        }
        return recording.segment(startSeconds: segment.startSeconds, endSeconds: segment.endSeconds)
    }
}
