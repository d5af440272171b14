import Foundation
import KaldiIO

/// Estimates a back-off n-gram model (order 1–3) from sentences and writes it in ARPA format.
///
/// Absolute discounting with back-off: a listed n-gram keeps `(count − D) / count(history)`,
/// the mass taken away goes to the lower order through the history's back-off weight,
/// normalised over the words the history was never followed by. `D = n₁ / (n₁ + 2 n₂)` per order
/// (Ney's estimate from the counts of n-grams seen once and twice). Unigrams are discounted the
/// same way and the mass freed goes to `<unk>`. Sentences are wrapped in `<s>` … `</s>`.
public enum NGramEstimator {
    /// The ARPA text of a model estimated from `sentences` (words as given; upper-case them first
    /// to match a lexicon).
    public static func arpa(sentences: [[String]], order: Int) -> String {
        precondition((1...3).contains(order), "order must be 1, 2 or 3")
        let start = ArpaLanguageModel.sentenceStart, end = ArpaLanguageModel.sentenceEnd
        // counts[n][ngram] for n = 1...order.
        var counts = [[[String]: Int]](repeating: [:], count: order + 1)
        for sentence in sentences {
            let tokens = [start] + sentence + [end]
            for n in 1...order {
                guard tokens.count >= n else { continue }
                for i in 0...(tokens.count - n) {
                    let gram = Array(tokens[i..<(i + n)])
                    if n == 1 && gram[0] == start { continue }
                    counts[n][gram, default: 0] += 1
                }
            }
        }
        func discount(_ n: Int) -> Double {
            let n1 = Double(counts[n].values.filter { $0 == 1 }.count)
            let n2 = Double(counts[n].values.filter { $0 == 2 }.count)
            guard n1 > 0 else { return 0.5 }
            return min(0.9, max(0.1, n1 / (n1 + 2 * n2)))
        }
        // Probabilities, natural numbers (not logs) per order.
        var probability = [[[String]: Double]](repeating: [:], count: order + 1)
        var backoff = [[String]: Double]()
        // Unigrams.
        let d1 = discount(1)
        let total = Double(counts[1].values.reduce(0, +))
        for (gram, c) in counts[1] { probability[1][gram] = (Double(c) - d1) / total }
        let freed = d1 * Double(counts[1].count) / total
        probability[1][[ArpaLanguageModel.unknown]] = (probability[1][[ArpaLanguageModel.unknown]] ?? 0) + freed
        probability[1][[start]] = 0   // never predicted; listed so it can be a history
        func lower(_ gram: [String]) -> Double {
            // P of the gram's last word given its shortened history, with back-off.
            var h = Array(gram.dropLast()).dropFirst()
            let w = gram.last!
            var weight = 1.0
            while true {
                let key = Array(h) + [w]
                if let p = probability[key.count][key] { return weight * p }
                if h.isEmpty { return 0 }
                weight *= backoff[Array(h)] ?? 1
                h = h.dropFirst()
            }
        }
        if order >= 2 {
            for n in 2...order {
                let d = discount(n)
                var historyCount = [[String]: Double]()
                var followers = [[String]: [[String]]]()
                for (gram, c) in counts[n] {
                    let h = Array(gram.dropLast())
                    historyCount[h, default: 0] += Double(c)
                    followers[h, default: []].append(gram)
                }
                for (h, grams) in followers {
                    let hc = historyCount[h]!
                    var kept = 0.0, lowerSeen = 0.0
                    for gram in grams {
                        let p = (Double(counts[n][gram]!) - d) / hc
                        probability[n][gram] = p
                        kept += p
                        lowerSeen += lower(gram)
                    }
                    backoff[h] = lowerSeen < 1 ? (1 - kept) / (1 - lowerSeen) : 1
                }
            }
        }
        // Write, each order sorted for a stable file.
        var text = "\\data\\\n"
        for n in 1...order { text += "ngram \(n)=\(probability[n].count)\n" }
        for n in 1...order {
            text += "\n\\\(n)-grams:\n"
            let grams = probability[n].keys.sorted { $0.joined(separator: " ") < $1.joined(separator: " ") }
            for gram in grams {
                let p = probability[n][gram]!
                let logP = p > 0 ? log10(p) : -99
                var line = String(format: "%.6f", logP) + "\t" + gram.joined(separator: " ")
                if n < order, let b = backoff[gram] { line += "\t" + String(format: "%.6f", log10(max(b, 1e-30))) }
                text += line + "\n"
            }
        }
        text += "\n\\end\\\n"
        return text
    }

    /// A phone n-gram from frame-level alignments: each utterance's runs of one class become one
    /// phone, silence and spoken noise left out (they are optional between phones when decoding).
    public static func phoneArpa<Classes: Sequence<Int32>>(alignments: [String: Classes], labels: [String], order: Int = 2,
                                 excluded: Set<String> = ["SIL", "SPN"]) -> String {
        var sentences = [[String]]()
        for key in alignments.keys.sorted() {
            var phones = [String]()
            var previous: Int32 = -1
            for c in alignments[key]! where c != previous {
                previous = c
                if !excluded.contains(labels[Int(c)]) { phones.append(labels[Int(c)]) }
            }
            sentences.append(phones)
        }
        return arpa(sentences: sentences, order: order)
    }
}
