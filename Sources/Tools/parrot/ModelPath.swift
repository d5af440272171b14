import Acoustic
import Align
import ArgumentParser
import Foundation
import KaldiIO
import Transcription

/// A model given as a file or as a directory holding final.mdl.
enum ModelPath {
    /// The class log-priors `parrot train` wrote beside `modelFile` (priors.txt), in the order of
    /// `labels`; a class it does not list gets -20.
    static func logPriors(besides modelFile: String, labels: [String]) throws -> [Float] {
        let table = try TableFile(path: priorsPath(besides: modelFile)).dictionary
        return labels.map { Float(table[$0] ?? "") ?? -20 }
    }

    /// An aligner for `model` (read from `file`) with `options`; with a prior scale, the class
    /// log-priors of a framewise model come from priors.txt beside the file. A model without
    /// one (written by `nnet-train`, or copied on its own) is aligned on its posteriors as they
    /// are, with a note naming `command`, unless `priorsRequired` (the scale was given on the
    /// command line): then it is an error.
    static func aligner(_ model: AcousticModel, file: String, lexicon: Lexicon, options: AlignerOptions, priorsRequired: Bool,
                        command: String) throws -> ForcedAligner {
        var aligner = ForcedAligner(model: model, compiler: TranscriptCompiler(lexicon: lexicon, phoneSet: model.classLabels, oovMode: options.oovMode),
                                    options: options)
        guard options.priorScale != 0, model.criterion == .framewise else { return aligner }
        let priors = priorsPath(besides: file)
        guard FileManager.default.fileExists(atPath: priors) else {
            guard priorsRequired else {
                printError("parrot \(command): note: no priors.txt beside \(file): aligning on the model's posteriors as they are (as --prior-scale 0)")
                return aligner
            }
            throw ValidationError("--prior-scale \(options.priorScale.formatted()) needs the class priors parrot train writes beside final.mdl, "
                + "and \(priors) does not exist (--prior-scale 0 aligns on the posteriors as they are)")
        }
        aligner.logPriors = try logPriors(besides: file, labels: model.classLabels)
        return aligner
    }

    /// Where `parrot train` writes the class log-priors of the model in `modelFile`.
    static func priorsPath(besides modelFile: String) -> String {
        ((modelFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent("priors.txt")
    }

    /// The model file `argument` names: a file as it is, a directory's final.mdl, or a named
    /// model's (`english`: see `NamedModels`).
    /// - Throws: `ValidationError` for a name no model has, listing the models there are.
    static func resolve(_ argument: String) throws -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            return isDirectory.boolValue ? (argument as NSString).appendingPathComponent("final.mdl") : argument
        }
        guard NamedModels.isName(argument) else { return argument }
        if let model = NamedModels.find(argument) { return (model.directory as NSString).appendingPathComponent("final.mdl") }
        let known = NamedModels.all()
        throw ValidationError("no model '\(argument)': no such file or directory, and no model of that name ("
            + (known.isEmpty ? "no named models in \(NamedModels.searchDirectories.joined(separator: ", "))" : "known: " + known.map(\.name).joined(separator: ", "))
            + "; parrot models lists them)")
    }
}
