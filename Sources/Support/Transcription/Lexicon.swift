import KaldiIO

/// A pronunciation dictionary: words → one or more phone sequences.
///
/// Reads CMU-dictionary / Kaldi `lexicon.txt` lines (`WORD PH PH …`, variants as `WORD(2)`),
/// Kaldi `lexiconp.txt` and MFA dictionary lines (tab- or space-separated, with optional
/// pronunciation and silence probabilities before the phones). Lookup is case-insensitive; stress
/// digits are stripped by default (AH0 → AH); `;;;` lines are comments.
public struct Lexicon: Sendable {
    /// Pronunciations per upper-cased word, in file order, without duplicates.
    public private(set) var pronunciations: [String: [[String]]] = [:]

    /// Phones of silence and of spoken noise / unknown words.
    public static let silence = "SIL"
    public static let spokenNoise = "SPN"

    /// Reads a lexicon file.
    /// - Parameter keepStress: keep stress digits on vowels (AH0 stays AH0).
    /// - Throws: `AlignError.badLexiconLine` for a word with no phones, `.emptyLexicon`.
    public init(path: String, keepStress: Bool = false) throws {
        let table = try TableFile(path: path)
        var problems = [AlignError]()
        for line in table.lines + table.duplicates {
            if line.key.hasPrefix(";;;") { continue }
            var word = line.key.uppercased()
            if word.hasSuffix(")"), let open = word.lastIndex(of: "("), Int(word[word.index(after: open)..<word.index(before: word.endIndex)]) != nil {
                word = String(word[..<open])
            }
            var fields = line.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            while let first = fields.first, Double(first) != nil { fields.removeFirst() }   // probabilities
            guard !fields.isEmpty else {
                problems.append(.badLexiconLine(path: path, line: line.number, reason: "word '\(line.key)' has no phones"))
                continue
            }
            let phones = keepStress ? fields : fields.map(Lexicon.strippingStress)
            add(word: word, phones: phones)
        }
        if let problem = problems.first { throw problem }
        if pronunciations.isEmpty { throw AlignError.emptyLexicon(path: path) }
    }

    /// A lexicon from pairs (tests, built-in lists).
    public init(entries: [(word: String, phones: [String])]) {
        for entry in entries { add(word: entry.word.uppercased(), phones: entry.phones) }
    }

    /// This lexicon with `entries` added (words in any case).
    public func adding(_ entries: [(word: String, phones: [String])]) -> Lexicon {
        var copy = self
        for entry in entries { copy.add(word: entry.word.uppercased(), phones: entry.phones) }
        return copy
    }

    /// The lexicon as a file's lines, `WORD PHONE …`, one per pronunciation, words sorted.
    public var lines: [String] {
        pronunciations.sorted { $0.key < $1.key }.flatMap { word, variants in variants.map { "\(word) \($0.joined(separator: " "))" } }
    }

    private mutating func add(word: String, phones: [String]) {
        if !(pronunciations[word]?.contains(phones) ?? false) { pronunciations[word, default: []].append(phones) }
    }

    /// `AH0` → `AH`: drops the stress digit (0, 1, 2) of an ARPAbet vowel, the only phones the
    /// CMU dictionary puts one on. Other phones keep their digits: in eSpeak NG's phoneme set they
    /// name other phonemes (`R2` is not `R`, `@2` is not `@`).
    public static func strippingStress(_ phone: String) -> String {
        guard let last = phone.last, "012".contains(last) else { return phone }
        let base = String(phone.dropLast())
        return arpabetVowels.contains(base.uppercased()) ? base : phone
    }

    /// The CMU dictionary's vowels.
    static let arpabetVowels: Set<String> = ["AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"]

    /// Pronunciations of `word` (any case), or nil if it is not in the lexicon.
    public func lookup(_ word: String) -> [[String]]? { pronunciations[word.uppercased()] }

    /// Every phone used, sorted.
    public var phones: [String] { Array(Set(pronunciations.values.flatMap { $0.flatMap { $0 } })).sorted() }

    /// Model classes for this lexicon: `SIL`, `SPN`, then the lexicon's phones, sorted.
    public var phoneSet: [String] {
        [Lexicon.silence, Lexicon.spokenNoise] + phones.filter { $0 != Lexicon.silence && $0 != Lexicon.spokenNoise }
    }

    /// Transcript words as the lexicon keys them: upper-cased, surrounding punctuation removed,
    /// empty tokens dropped ("Hello," → HELLO).
    public static func normalizedWords(_ transcript: String) -> [String] {
        spelledWords(transcript).map { $0.uppercased() }
    }

    /// Transcript words with surrounding punctuation removed, spelled as written (for a
    /// pronouncer: upper-casing loses letters, e.g. German ß becomes SS).
    public static func spelledWords(_ transcript: String) -> [String] {
        let punctuation = Set(".,!?;:\"()[]{}«»“”‘’")
        return transcript.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { token in
            var t = Substring(token)
            while let f = t.first, punctuation.contains(f) { t = t.dropFirst() }
            while let l = t.last, punctuation.contains(l) { t = t.dropLast() }
            return t.isEmpty ? nil : String(t)
        }
    }
}
