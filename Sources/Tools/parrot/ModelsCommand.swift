import Acoustic
import ArgumentParser
import Foundation

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models Parrot knows by name (parrot align english …).",
        discussion: """
        A named model is a directory NAME/ with final.mdl in a model folder: those of \
        $PARROT_MODELS (separated by ':'), then the project's models/ (the English starter model, \
        models/english, made by recipes/english/run.sh). Wherever a command takes a model \
        directory or file (align, decode, train-refiner, train --init-model), a name that is no \
        path is looked up here. One line per model: name, phones, sample rate, what it learnt, \
        folder, and the title of its model card (MODEL.md).

        e.g.: parrot models
        """
    )

    func run() throws {
        try exitStatus(of: "models") {
            let models = NamedModels.all()
            guard !models.isEmpty else {
                print("No named models in \(NamedModels.searchDirectories.joined(separator: ", ")) (recipes/english/run.sh makes models/english).")
                return
            }
            for model in models {
                let file = (model.directory as NSString).appendingPathComponent("final.mdl")
                let card = (try? String(contentsOfFile: (model.directory as NSString).appendingPathComponent("MODEL.md"), encoding: .utf8))?
                    .split(separator: "\n").first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) } ?? ""
                do {
                    let acoustic = try ModelFile.read(path: file)
                    let phones = acoustic.classLabels.filter { !["SIL", "SPN", "<blk>"].contains($0) }.count
                    let rate = acoustic.features.map { "\($0.fbank.sampleRate / 1000) kHz" } ?? "features given"
                    print("\(model.name)\t\(phones) phones, \(rate), \(acoustic.criterion == .ctc ? "CTC" : "framewise")\t\(model.directory)\t\(card)")
                } catch {
                    print("\(model.name)\tunreadable: \(error)\t\(model.directory)")
                }
            }
        }
    }
}
