import Foundation

/// Models known by name (`parrot align english …`): each is a directory `NAME/` holding
/// final.mdl (and phones.txt, priors.txt, phones.arpa, MODEL.md, its model card) in one of the
/// model folders: those of `PARROT_MODELS` (separated by `:`), then the project's `models/`.
enum NamedModels {
    struct Model {
        var name: String
        var directory: String
    }

    /// The project's `models/` folder, found from this source file's place in the checkout (Parrot
    /// runs from the tree it was built in; `PARROT_MODELS` points elsewhere).
    static let projectModels: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models").path

    static var searchDirectories: [String] {
        let environment = ProcessInfo.processInfo.environment["PARROT_MODELS"].map { $0.split(separator: ":").map(String.init) } ?? []
        return environment + [projectModels]
    }

    /// Whether `argument` can be a model's name: letters, digits, `-`, `_` and `.`, no path.
    static func isName(_ argument: String) -> Bool {
        !argument.isEmpty && !argument.hasPrefix(".") && argument.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)
        }
    }

    /// The first model called `name` (any case) in the model folders.
    static func find(_ name: String) -> Model? {
        all().first { $0.name.lowercased() == name.lowercased() }
    }

    /// Every named model, folder by folder (an earlier folder's model hides a later one of the same name), by name within a folder.
    static func all() -> [Model] {
        var seen = Set<String>(), models = [Model]()
        for folder in searchDirectories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names.sorted() where isName(name) {
                let directory = (folder as NSString).appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("final.mdl")),
                      seen.insert(name.lowercased()).inserted else { continue }
                models.append(Model(name: name, directory: directory))
            }
        }
        return models
    }
}
