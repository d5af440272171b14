import ArgumentParser
import Foundation

/// A lexicon argument: a file, or `english`, the CMU dictionary Debian ships (package
/// pocketsphinx-en-us), whose missing words eSpeak NG pronounces by default.
struct LexiconName {
    static let cmuDictionary = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
    let path: String
    let isBuiltIn: Bool

    /// `argument` as a path: an existing file as it is, `english` (any case) the CMU dictionary.
    /// - Throws: `ValidationError` for `english` without the dictionary installed.
    init(_ argument: String) throws {
        if FileManager.default.fileExists(atPath: argument) || argument.lowercased() != "english" {
            path = argument
            isBuiltIn = false
            return
        }
        guard FileManager.default.fileExists(atPath: Self.cmuDictionary) else {
            throw ValidationError("the lexicon 'english' is the CMU dictionary at \(Self.cmuDictionary): install Debian's pocketsphinx-en-us (./setup.sh does)")
        }
        path = Self.cmuDictionary
        isBuiltIn = true
    }
}
