import Acoustic
import Align
import ArgumentParser
import Core
import Corpus
import Foundation
import KaldiIO
import Report
import Transcription

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's HTML report: figures, training curves, utterances drawn as spectrogram and tiers.",
        discussion: """
        OUT.html is one self-contained page (data embedded; charts and tiers drawn as SVG by a \
        small script, so open it in any browser). It holds:
          - each --figure LABEL=FILE as text (e.g. the output of parrot score or eval-align);
          - with --model MODEL_DIR (from parrot train): a table of the re-alignment rounds and \
        charts of the mean best-path log-likelihood, frames changed and validation accuracy per \
        round, and of training and validation loss and accuracy per epoch;
          - with --features FEATS_DIR and --alignment DIR (holding words.ctm and phones.ctm, as \
        parrot align and parrot decode write them): --utterances utterances drawn as log-Mel \
        spectrogram with a words tier and a phones tier (--utterance KEY picks them instead).

        e.g.: parrot report exp/tts/report.html --title "Built-in corpus" --model exp/tts/model \\
                --figure "Alignment accuracy=exp/tts/align_test/accuracy.txt" \\
                --features exp/tts/feats/test --alignment exp/tts/align_test
        """
    )

    @Argument(help: "The HTML file to write.") var output: String
    @Option(help: "Page title.") var title = "Parrot run report"
    @Option(help: "A result to show, as LABEL=FILE (repeatable).") var figure: [String] = []
    @Option(help: "parrot train's model directory (training curves).") var model: String?
    @Option(help: "Features directory (feats.scp) of the utterances to draw.") var features: String?
    @Option(help: "Directory with words.ctm and phones.ctm of those utterances.") var alignment: String?
    @Option(help: "How many utterances to draw (the first in sorted order that have both features and alignment).") var utterances = 3
    @Option(help: "Draw this utterance (repeatable; replaces --utterances).") var utterance: [String] = []

    func validate() throws {
        guard (features == nil) == (alignment == nil) else { throw ValidationError("--features and --alignment go together") }
        for f in figure where !f.contains("=") { throw ValidationError("--figure takes LABEL=FILE, got '\(f)'") }
        guard utterances >= 0 else { throw ValidationError("--utterances must be at least 0") }
    }

    func run() throws {
        try exitStatus(of: "report") {
            var report = RunReport(title: title)
            for f in figure {
                let parts = f.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                report.figures.append(.init(label: parts[0], text: try String(contentsOfFile: parts[1], encoding: .utf8)))
            }
            if let model { try report.addTraining(modelDirectory: model) }
            if let features, let alignment {
                let source = try FeatureSource(path: features)
                let frameShift = (source.settings?.fbank.frameShiftMilliseconds ?? 10) / 1000
                let words = try CTMEntry.read(path: (alignment as NSString).appendingPathComponent("words.ctm"))
                let phones = try CTMEntry.read(path: (alignment as NSString).appendingPathComponent("phones.ctm"))
                let available = Set(source.keys)
                let keys = utterance.isEmpty
                    ? Array(source.keys.filter { words[$0] != nil || phones[$0] != nil }.sorted(by: cLocaleLess).prefix(utterances))
                    : utterance
                for key in keys {
                    guard available.contains(key) else { throw ReportInputError("utterance '\(key)' has no features in \(features)/feats.scp") }
                    guard let m = try source.features.read(key).asFloatMatrix else { throw ReportInputError("'\(key)' in \(features) is not a matrix") }
                    report.utterances.append(UtteranceView(key: key, features: m, frameShift: frameShift,
                                                           tiers: [("words", words[key] ?? []), ("phones", phones[key] ?? [])]))
                }
            }
            try AtomicFile.write(try report.html(), to: output)
            print("parrot report: wrote \(output) (\(report.figures.count) figures, \(report.rounds.count) rounds, \(report.epochs.count) epochs, \(report.utterances.count) utterances)")
        }
    }
}

/// An utterance the report was asked for that the features directory cannot give.
struct ReportInputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
