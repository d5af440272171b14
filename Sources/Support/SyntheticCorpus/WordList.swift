import Core
import Foundation

/// The words of a built-in corpus in another language, drawn from a word list of that language
/// (one word per line, as Debian's word-list packages install them under `/usr/share/dict`).
public enum WordList {
    /// Debian's word list for an eSpeak NG language code: its path and the package that installs it.
    public static let debianLists: [String: (path: String, package: String)] = [
        "de": ("/usr/share/dict/ngerman", "wngerman"), "es": ("/usr/share/dict/spanish", "wspanish"),
        "fr": ("/usr/share/dict/french", "wfrench"), "it": ("/usr/share/dict/italian", "witalian"),
        "pt": ("/usr/share/dict/portuguese", "wportuguese"), "nl": ("/usr/share/dict/dutch", "wdutch"),
        "sv": ("/usr/share/dict/swedish", "wswedish"), "da": ("/usr/share/dict/danish", "wdanish"),
        "pl": ("/usr/share/dict/polish", "wpolish"), "ca": ("/usr/share/dict/catalan", "wcatalan"),
    ]

    /// Letters a word may have: at least `letters.lowerBound`, at most `letters.upperBound`.
    public static let letters = 2...12

    /// The usable words of a word list, lower-cased, distinct, in C-locale order: letters only
    /// (any script, with combining marks), `letters` long, and no capital after the first letter
    /// (abbreviations such as `ABC`, or `iPhone`, which eSpeak would spell out or split).
    public static func candidates(in text: String) -> [String] {
        var words = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) {
            let word = line.split(separator: "/").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard letters.contains(word.count),
                  word.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.generalCategory == .nonspacingMark }),
                  !word.dropFirst().contains(where: \.isUppercase) else { continue }
            words.insert(word.lowercased())
        }
        return words.sorted(by: cLocaleLess)
    }

    /// `count` words drawn without replacement from the word list at `path` (all of them if it has fewer).
    /// - Throws: `SyntheticCorpusError.wordListUnusable` if it cannot be read or has fewer than 20 usable words.
    public static func vocabulary(path: String, count: Int, using random: inout SeededGenerator) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SyntheticCorpusError.wordListUnusable(path: path, reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SyntheticCorpusError.wordListUnusable(path: path, reason: "not UTF-8 text")
        }
        var words = candidates(in: text)
        guard words.count >= 20 else {
            throw SyntheticCorpusError.wordListUnusable(path: path, reason: "\(words.count) usable words (letters only, \(letters.lowerBound)–\(letters.upperBound) of them); at least 20 needed")
        }
        // A partial Fisher–Yates shuffle: the first `count` places are the draw.
        let n = min(count, words.count)
        for i in 0..<n { words.swapAt(i, random.integer(in: i...(words.count - 1))) }
        return Array(words.prefix(n))
    }

    /// `count` distinct sentences of `length` words drawn uniformly from `vocabulary`.
    public static func sentences(count: Int, length: ClosedRange<Int>, vocabulary: [String], using random: inout SeededGenerator) -> [[String]] {
        var seen = Set<[String]>()
        var out = [[String]]()
        while out.count < count {
            let sentence = (0..<random.integer(in: length)).map { _ in random.pick(vocabulary) }
            if seen.insert(sentence).inserted { out.append(sentence) }
        }
        return out
    }
}
