import Acoustic
import Core
import Corpus
import Foundation
import KaldiIO
import Transcription

/// Decodes every utterance of a features directory and writes the results to `outputDirectory`:
///
///     text         UTT hypothesis (words, or phones in the phone modes), Kaldi's text format
///     phones.ctm   UTT 1 start duration phone confidence (silence left out)
///     words.ctm    the same for words (word modes)
///     decode.json  per utterance: hypothesis, score, words and phones in seconds
///     failed.txt   utterances that could not be decoded, and why
///
/// A failing utterance is listed and the rest complete; the files are written into a staging
/// directory and moved into place together, so a failed run leaves the previous ones intact.
public struct DecodeJob {
    public let recognizer: Recognizer
    public let source: FeatureSource
    public var jobs = 1
    /// Seconds of every frame boundary (frame shift and window-centre offset, as alignments use).
    public var times = AlignmentWriter()
    /// Seconds per frame.
    public var frameShift: Double { times.frameShift }
    /// Called after each utterance with (done, total); one call at a time.
    public var progress: ((Int, Int) -> Void)?

    public init(recognizer: Recognizer, source: FeatureSource) {
        self.recognizer = recognizer
        self.source = source
    }

    public struct Summary {
        public var decoded: Int
        public var failures: [(String, String)]
        /// Frames decoded (for × real time).
        public var frames: Int
    }

    /// Decodes `keys` (default: every utterance of the source, and those whose features failed).
    public func run(outputDirectory: String, keys requested: [String]? = nil) throws -> Summary {
        let keys = (requested ?? Array(Set(source.keys).union(source.failedUtterances.keys))).sorted(by: cLocaleLess)
        let available = Set(source.keys)
        let (results, failures) = WorkerPool.run(keys, jobs: jobs, state: NetworkWorkspace.forInference, progress: progress) { batch, workspace in
            batch.map { key in
                Result {
                    guard available.contains(key) else { throw WorkerPool.Failure(source.missingFeaturesReason(key)) }
                    // The features are read once, for both the network and the quiet-word gate's levels.
                    let raw = try source.rawFeatures(key)
                    return try recognizer.recognize(key, features: source.normalized(raw, of: key),
                                                    frameLevels: recognizer.usesFrameLevels ? QuietWordGate.frameLevels(raw) : nil, workspace: workspace)
                }
            }
        }
        try write(results, failures: failures, to: outputDirectory)
        return Summary(decoded: results.count, failures: failures, frames: results.values.reduce(0) { $0 + $1.frames })
    }

    /// Writes every output into a staging directory and moves them into `target` together.
    private func write(_ results: [String: Recognition], failures: [(String, String)], to target: String) throws {
        let stage = try StagingDirectory(for: target)
        defer { stage.discard() }
        let directory = stage.path
        var text = "", phones = "", words = ""
        var json = [[String: Any]]()
        func ctm(_ key: String, _ segments: [DecodedSegment]) -> String {
            segments.map { times.ctmLine(key, label: $0.label, start: $0.start, end: $0.end, confidence: $0.confidence) }.joined()
        }
        func list(_ segments: [DecodedSegment]) -> [[String: Any]] {
            segments.map { ["label": $0.label, "start": times.time($0.start), "end": times.time($0.end),
                            "confidence": Double(($0.confidence * 1000).rounded() / 1000)] }
        }
        for key in results.keys.sorted(by: cLocaleLess) {
            let r = results[key]!
            text += r.tokens.isEmpty ? "\(key)\n" : "\(key) \(r.tokens.joined(separator: " "))\n"
            phones += ctm(key, r.phones)
            words += ctm(key, r.words)
            var entry: [String: Any] = ["utterance": key, "hypothesis": r.tokens.joined(separator: " "), "phones": list(r.phones),
                                        "duration": Double(r.frames) * frameShift]
            if !r.words.isEmpty { entry["words"] = list(r.words) }
            if let score = r.score { entry["score"] = Double(score) }
            json.append(entry)
        }
        try AtomicFile.write(text, to: directory + "/text")
        try AtomicFile.write(phones, to: directory + "/phones.ctm")
        if recognizer.mode.isWordSearch { try AtomicFile.write(words, to: directory + "/words.ctm") }
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(String(decoding: data, as: UTF8.self) + "\n", to: directory + "/decode.json")
        try stage.writeFailureList(failures.map { (utterance: $0.0, reason: $0.1) })
        try stage.commit()
    }
}
