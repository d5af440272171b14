import Core
import Corpus
import Foundation
import KaldiIO

/// Vocal-tract-length normalisation as `decode` and `align` run it (`--vtln`): the search for each
/// speaker's factor (`SpeakerWarpSearch`) with a progress line, the factors in OUT_DIR/spk2warp
/// and a line saying what was chosen.
struct SpeakerWarps {
    let command: String
    let outDir: String
    var search = SpeakerWarpSearch()

    var file: String { (outDir as NSString).appendingPathComponent("spk2warp") }

    /// The default grid's ends for the commands' help, e.g. "0.88 to 1.12".
    static let range: String = {
        let factors = SpeakerWarpSearch().factors
        return String(format: "%.2f to %.2f", factors.first!, factors.last!)
    }()

    /// `source` with each speaker's spectrum warped by its chosen factor, or as it is when no
    /// speaker has enough speech. `score` runs the first pass over the given utterances of the
    /// given warped source, calling its third argument with the utterances done so far.
    func normalize(_ source: FeatureSource, keys: [String]? = nil,
                   score: (FeatureSource, [String], @escaping (Int) -> Void) throws -> [String: SpeakerWarpSearch.Score]) throws -> FeatureSource {
        guard source.isWarpable, !search.sample(source, keys: keys).isEmpty else { return source }
        let progress = ProgressLine("speaker warps")
        var done = 0
        let choices = try search.run(source, keys: keys) { warped, utterances in
            let total = utterances.count * search.factors.count, before = done
            let scores = try score(warped, utterances) { progress.update(before + $0, total) }
            done += utterances.count
            return scores
        }
        progress.finish()
        let speakers = choices.keys.sorted(by: cLocaleLess)
        let factors = speakers.map { (speaker: $0, factor: String(format: "%.2f", choices[$0]!.factor)) }
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        try AtomicFile.write(factors.map { "\($0.speaker) \($0.factor)\n" }.joined(), to: file)
        let shown = factors.prefix(5).map { "\($0.speaker) \($0.factor)" }.joined(separator: ", ")
        print("parrot \(command): speaker warps (VTLN) for \(speakers.count.grouped) speaker(s): \(shown)\(speakers.count > 5 ? ", …" : "") (\(file))")
        return source.warped(choices.mapValues(\.factor))
    }
}
