import Foundation
import KaldiIO

/// A back-off n-gram model (up to trigrams) in ARPA format, as SRILM, KenLM and Kaldi write it:
///
///     \data\
///     ngram 1=N1
///     ngram 2=N2
///     \1-grams:
///     log10(p)  WORD  [log10(backoff)]
///     \2-grams:
///     …
///     \end\
///
/// `P(w | h) = p(h w)` when the n-gram is listed, otherwise `backoff(h) · P(w | h without its
/// first word)`. Words are matched case-insensitively (upper-cased like the lexicon); `<s>`,
/// `</s>` and `<unk>` keep their spelling. Search states are the histories the model can use:
/// a history is cut to its longest suffix listed as an n-gram of lower order than the model's.
public struct ArpaLanguageModel: WordSequenceModel {
    public static let sentenceStart = "<s>"
    public static let sentenceEnd = "</s>"
    public static let unknown = "<unk>"

    /// Words, by index.
    public private(set) var words: [String] = []
    private var index: [String: Int] = [:]
    /// Highest n-gram order (1–3).
    public private(set) var order = 0
    /// Per order (0-based), packed n-gram → (natural-log probability, natural-log back-off).
    private var entries: [[UInt64: (Float, Float)]] = []
    /// Histories usable as search states (n-grams of order < `order`), and their keys.
    private var stateHistories: [[Int]] = []
    private var stateOfHistory: [UInt64: Int] = [:]
    public private(set) var startState = 0

    private static let ln10 = Float(M_LN10)

    /// Reads an ARPA file.
    /// - Throws: `DecodeError.badLanguageModel` naming the file and line.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DecodeError.badLanguageModel(path: path, line: 0, reason: "cannot read the file")
        }
        try self.init(text: String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses ARPA text (`path` only names it in errors).
    public init(text: String, path: String = "<arpa>") throws {
        var declared = [Int: Int]()
        var section = -1   // -1 header, 0 \data\, n ≥ 1 the n-grams section
        var counts = [Int]()
        var lineNumber = 0
        func fail(_ reason: String) -> DecodeError { .badLanguageModel(path: path, line: lineNumber, reason: reason) }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            if line == "\\data\\" { section = 0; continue }
            if line == "\\end\\" { section = -2; break }
            if line.hasPrefix("\\"), line.hasSuffix("-grams:"), let n = Int(line.dropFirst().prefix { $0.isNumber }) {
                guard n >= 1, n <= 3 else { throw fail("\(n)-grams: Parrot reads models up to trigrams") }
                guard declared[n] != nil else { throw fail("\(n)-grams section not declared in \\data\\") }
                section = n
                while entries.count < n { entries.append([:]) }
                while counts.count < n { counts.append(0) }
                continue
            }
            switch section {
            case -1: continue   // text before \data\ is a comment
            case 0:
                guard line.hasPrefix("ngram "), let equals = line.firstIndex(of: "="),
                      let n = Int(line[line.index(line.startIndex, offsetBy: 6)..<equals].trimmingCharacters(in: .whitespaces)),
                      let count = Int(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)) else {
                    throw fail("expected 'ngram N=COUNT' in \\data\\, found '\(line)'")
                }
                guard (1...3).contains(n) else { throw fail("'\(line)': Parrot reads models of order 1 to 3") }
                guard count >= 0 else { throw fail("'\(line)': a count cannot be negative") }
                guard declared[n] == nil else { throw fail("'\(line)': \(n)-grams declared twice") }
                declared[n] = count
            default:
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count == section + 1 || fields.count == section + 2, let logProbability = Float(fields[0]) else {
                    throw fail("expected 'log10(p) \((1...section).map { "W\($0)" }.joined(separator: " ")) [log10(backoff)]'")
                }
                let backoff = fields.count == section + 2 ? Float(fields[section + 1]) : 0
                guard let backoff else { throw fail("back-off weight '\(fields[section + 1])' is not a number") }
                var ids = [Int]()
                for field in fields[1...section] { ids.append(intern(ArpaLanguageModel.normalized(String(field)))) }
                let key = ArpaLanguageModel.pack(ids)
                entries[section - 1][key] = (logProbability * ArpaLanguageModel.ln10, backoff * ArpaLanguageModel.ln10)
                counts[section - 1] += 1
            }
        }
        guard section == -2 else { throw DecodeError.badLanguageModel(path: path, line: 0, reason: "no \\end\\ line: truncated file?") }
        guard !entries.isEmpty, !entries[0].isEmpty else { throw DecodeError.badLanguageModel(path: path, line: 0, reason: "no unigrams") }
        for (n, count) in declared.sorted(by: { $0.key < $1.key }) {
            let listed = n <= counts.count ? counts[n - 1] : 0
            if listed != count {
                throw DecodeError.badLanguageModel(path: path, line: 0, reason: "\\data\\ declares \(count) \(n)-grams but the file lists \(listed)")
            }
        }
        order = entries.count
        for n in 0..<(order - 1) {
            for key in entries[n].keys.sorted() {
                stateOfHistory[key] = stateHistories.count
                stateHistories.append(ArpaLanguageModel.unpack(key))
            }
        }
        if stateHistories.isEmpty { stateHistories = [[]]; stateOfHistory[0] = 0 }   // unigram model: one state
        if let s = index[ArpaLanguageModel.sentenceStart] {
            startState = state(for: [s])
        } else {
            startState = state(for: [])
        }
    }

    private mutating func intern(_ word: String) -> Int {
        if let i = index[word] { return i }
        words.append(word)
        index[word] = words.count - 1
        return words.count - 1
    }

    static func normalized(_ word: String) -> String {
        word.hasPrefix("<") && word.hasSuffix(">") ? word.lowercased() : word.uppercased()
    }

    /// Word indices + 1 in 21-bit fields (index 0 = no word).
    static func pack<S: Sequence>(_ ids: S) -> UInt64 where S.Element == Int {
        var key: UInt64 = 0
        for id in ids { key = key << 21 | UInt64(id + 1) }
        return key
    }

    static func unpack(_ key: UInt64) -> [Int] {
        var ids = [Int]()
        var k = key
        while k != 0 { ids.append(Int(k & 0x1F_FFFF) - 1); k >>= 21 }
        return ids.reversed()
    }

    /// The state for a history: its longest suffix that is a listed n-gram of order < `order`.
    private func state(for history: [Int]) -> Int {
        var h = history.suffix(max(0, order - 1))
        while !h.isEmpty {
            if let s = stateOfHistory[ArpaLanguageModel.pack(h)] { return s }
            h = h.dropFirst()
        }
        return stateOfHistory[0] ?? 0
    }

    /// Natural-log `P(word | history)` with back-off; nil if the word has no unigram.
    public func logProbability(_ word: Int, history: [Int]) -> Float? {
        var h = ArraySlice(history.suffix(max(0, order - 1)))
        var backoff: Float = 0
        while true {
            if let entry = entries[h.count][ArpaLanguageModel.pack(h + [word])] { return backoff + entry.0 }
            if h.isEmpty { return nil }
            backoff += entries[h.count - 1][ArpaLanguageModel.pack(h)]?.1 ?? 0
            h = h.dropFirst()
        }
    }

    /// Natural-log probability of a whole sentence, `<s>` and `</s>` included.
    public func sentenceLogProbability(_ sentence: [String]) -> Float? {
        var state = startState
        var total: Float = 0
        for word in sentence {
            guard let w = wordIndex(word) else { return nil }
            var next: (Int, Float)?
            forEachSuccessor(of: state, word: w) { next = ($0, $1) }
            guard let (s, p) = next else { return nil }
            total += p
            state = s
        }
        guard let end = finalLogProbability(state) else { return nil }
        return total + end
    }

    public func wordIndex(_ word: String) -> Int? {
        let w = ArpaLanguageModel.normalized(word)
        if w == ArpaLanguageModel.sentenceStart || w == ArpaLanguageModel.sentenceEnd { return nil }
        if let i = index[w], entries[0][ArpaLanguageModel.pack([i])] != nil { return i }
        return nil
    }

    public func forEachSuccessor(of state: Int, word: Int, _ body: (Int, Float) -> Void) {
        let history = stateHistories[state]
        guard let p = logProbability(word, history: history) else { return }
        body(self.state(for: history + [word]), p)
    }

    public func finalLogProbability(_ state: Int) -> Float? {
        guard let end = index[ArpaLanguageModel.sentenceEnd] else { return 0 }
        return logProbability(end, history: stateHistories[state])
    }

    /// Number of n-grams of each order.
    public var counts: [Int] { entries.map(\.count) }
}
