import Acoustic
import ArgumentParser
import Core
import Corpus
import Foundation
import KaldiIO
import Training
import Transcription

/// Adapting a model to the data at hand before the final pass, as `parrot train --init-model`
/// fine-tunes it on a transcribed corpus: `align` on the data's own transcripts, `decode` on its
/// own first-pass hypotheses (unsupervised). It is the part of Kaldi's and MFA's two-pass systems
/// that a speaker transform estimated from the first pass plays: the speakers, voices and
/// recording conditions the model never heard.
///
///     OUT_DIR/adapt/pass-N/text    the transcripts pass N fine-tuned on
///     OUT_DIR/adapt/pass-N/model/  the model it trained (`parrot train`'s model directory)
struct SelfAdaptation {
    /// Speech a set needs to be adapted to at all: one minute of frames.
    static let minimumFrames = 6_000
    /// Frames the fine-tuning sees at most (about half an hour); a longer set lends it an even
    /// spread of its utterances, and the adapted model then handles them all.
    static let maximumFrames = 180_000
    /// Utterances longer than a minute are not trained on (training holds every frame's
    /// activations); they are still aligned or decoded with the adapted model.
    static let longestUtterance = 6_000
    /// `decode`'s default adaptation is skipped when the model already fits the data: its first
    /// alignment's best paths average at least this log-likelihood per frame (a geometric mean of
    /// 0.90 posterior). Chosen on development data: new voices of the engine a model was trained
    /// on and the model's own training data gave −0.04 to −0.06, where adapting gained 0.3 points
    /// or nothing; FSDD's unseen speakers −0.15 to −0.57 and another engine's voice −2.2, where it
    /// gained up to 35 files of 500 and 11 points. `align` no longer asks (stop 45): since
    /// adaptation has frame-local rounds, it gains 1.3 and 2.6 points on new eSpeak voices whose
    /// fits are −0.059 and −0.034, and moves the model's own training data (−0.037) by −0.1.
    static let fitting = -0.1

    typealias Transcript = (key: String, words: [String])

    /// What a pass of `adapt` did: fine-tuned the model (and how well the model fitted the data
    /// before, when that is known), or left it as it is because it fitted already.
    enum Outcome {
        case adapted(AcousticModel, file: String, fitBefore: Double?)
        case fits(Double)
    }

    let lexicon: Lexicon
    let lexiconName: LexiconName
    let source: FeatureSource
    let directory: String
    let jobs: Int

    /// The utterances to fine-tune on: those with words and stored features of at most a minute,
    /// every k-th of them beyond `maximumFrames`. Nil when they hold less than `minimum` frames.
    func selection(_ transcripts: [Transcript], minimum: Int = SelfAdaptation.minimumFrames) -> [Transcript]? {
        var usable = [(transcript: Transcript, frames: Int)]()
        for transcript in transcripts where !transcript.words.isEmpty {
            guard let frames = source.features.rows(of: transcript.key), frames <= Self.longestUtterance else { continue }
            usable.append((transcript, frames))
        }
        let total = usable.reduce(0) { $0 + $1.frames }
        guard total >= max(1, minimum) else { return nil }
        let stride = (total + Self.maximumFrames - 1) / Self.maximumFrames
        return usable.enumerated().filter { $0.offset % stride == 0 }.map(\.element.transcript)
    }

    /// Fine-tunes `model` on `transcripts` (from `selection`) and returns the adapted model and
    /// its file; or, when a `fitThreshold` is given and the model's first alignment of them meets
    /// it, trains nothing and returns that alignment's mean best-path log-likelihood per frame.
    /// `log` receives a line per training round.
    func adapt(_ model: AcousticModel, on transcripts: [Transcript], pass: Int, fitThreshold: Double? = nil,
               log: @escaping (String) -> Void) throws -> Outcome {
        let passDirectory = (directory as NSString).appendingPathComponent("pass-\(pass)")
        try? FileManager.default.removeItem(atPath: passDirectory)
        try FileManager.default.createDirectory(atPath: passDirectory, withIntermediateDirectories: true)
        let textFile = (passDirectory as NSString).appendingPathComponent("text")
        try AtomicFile.write(transcripts.map { "\($0.key) \($0.words.joined(separator: " "))\n" }.joined(), to: textFile)
        // The pronunciations of the words said.
        var entries = [(word: String, phones: [String])]()
        for word in Set(transcripts.flatMap(\.words).map { $0.uppercased() }).sorted(by: cLocaleLess) {
            for phones in lexicon.lookup(word) ?? [] { entries.append((word, phones)) }
        }
        let options = try TrainCommand.adaptationOptions(lexicon: lexiconName, jobs: jobs)
        let modelDirectory = (passDirectory as NSString).appendingPathComponent("model")
        let trainer = AlignmentTrainer(source: source, transcripts: try TableFile.packed(path: textFile),
                                       lexicon: Lexicon(entries: entries), options: options, modelDirectory: modelDirectory)
        trainer.initialModel = model
        trainer.fitThreshold = fitThreshold
        trainer.onEvent = { event in
            if case let .round(report) = event { log(report.line) }
        }
        let adapted = try trainer.run(resume: false)
        if trainer.fitted, let fit = trainer.startingFit {
            // Nothing was trained: leave no model directory behind.
            try? FileManager.default.removeItem(atPath: passDirectory)
            if (try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty == true { try? FileManager.default.removeItem(atPath: directory) }
            return .fits(fit)
        }
        return .adapted(adapted, file: (modelDirectory as NSString).appendingPathComponent("final.mdl"), fitBefore: trainer.startingFit)
    }

    /// The passes to run: `requested` (--adapt) or else `standard` for a framewise model, none for a
    /// CTC model, which is used as it is. Asking a CTC model (`file`) for passes is an error.
    static func passes(requested: Int?, standard: Int, model: AcousticModel, file: String) throws -> Int {
        guard model.criterion == .framewise else {
            if let requested, requested > 0 { throw ValidationError("\(file) is a CTC model: --adapt fine-tunes framewise models only") }
            return 0
        }
        return requested ?? standard
    }

    /// Runs `passes` (at least 1) passes of adaptation from `model` for `command` (align, decode): each takes
    /// its transcripts from `transcripts()`, fine-tunes the last pass's model on them, and hands
    /// the adapted model and its file to `adapted`. With `explicit` passes (--adapt given) any
    /// speech is enough and every pass runs; otherwise a minute is needed, and when `gated`, none
    /// runs when the model already fits the data (`fitting`, judged on the first pass's
    /// transcripts). A pass that fails is reported and ends the passes, keeping what came before.
    func run(_ model: AcousticModel, passes: Int, explicit: Bool, gated: Bool, command: String, transcripts: () throws -> [Transcript],
             adapted: (AcousticModel, String) throws -> Void) throws {
        var current = model
        for pass in 1...passes {
            let started = Date()
            guard let selected = selection(try transcripts(), minimum: explicit ? 1 : Self.minimumFrames) else {
                print("parrot \(command): " + (explicit ? "nothing to adapt to" : "less than a minute of speech in utterances of up to a minute") + ": not adapted")
                return
            }
            let outcome: Outcome
            do {
                outcome = try adapt(current, on: selected, pass: pass, fitThreshold: explicit || pass > 1 || !gated ? nil : Self.fitting) {
                    print("parrot \(command): adaptation pass \(pass): \($0)")
                }
            } catch {
                printError("parrot \(command): adaptation pass \(pass) failed, keeping the model before it: \(error)")
                return
            }
            switch outcome {
            case let .fits(fit):
                print("parrot \(command): the model already fits these data (best paths \(String(format: "%.3f", fit)) log-likelihood " +
                      "per frame, at least \(Self.fitting)): not adapted (an explicit --adapt adapts it all the same)")
                return
            case let .adapted(model, file, fitBefore):
                current = model
                let fit = fitBefore.map { String(format: "; the model's alignment of them before: %.3f log-likelihood per frame", $0) } ?? ""
                print("parrot \(command): adaptation pass \(pass): fine-tuned on \(selected.count.grouped) utterances in \(String(format: "%.1f", Date().timeIntervalSince(started))) s\(fit)")
                try adapted(current, file)
            }
        }
    }

    /// The transcripts of a `text` file (`decode`'s hypotheses).
    static func transcripts(path: String) throws -> [Transcript] {
        var lines = [Transcript]()
        _ = try TableFile(path: path) { line in lines.append((line.key, line.value.split(separator: " ").map(String.init))) }
        return lines
    }
}
