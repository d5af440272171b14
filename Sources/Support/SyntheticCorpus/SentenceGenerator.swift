import Core
import KaldiIO
/// Makes grammatical-looking English sentences of 5–15 words from `Vocabulary` with a small
/// phrase grammar:
///
///     sentence  → clause | clause conjunction clause
///     clause    → subject predicate [adverb]
///     subject   → determiner [adjective] noun | plural-determiner [adjective] plural-noun | pronoun | name
///     predicate → transitive-verb object [prepositional-phrase] | intransitive-verb [prepositional-phrase]
///     object    → like subject, without pronouns
///
/// Deterministic for a given generator state. Words are lowercase; `text` files get them in
/// uppercase, as Kaldi corpora write them.
public struct SentenceGenerator {
    /// Allowed sentence length in words.
    public var wordRange: ClosedRange<Int> = 5...15

    public init() {}

    /// The next sentence, as words.
    public func sentence(using random: inout SeededGenerator) -> [String] {
        while true {
            var words = clause(&random)
            if random.chance(0.45) {
                words.append(random.pick(Vocabulary.conjunctions))
                words += clause(&random)
            }
            if wordRange.contains(words.count) { return words }
        }
    }

    /// `count` distinct sentences.
    public func distinctSentences(count: Int, using random: inout SeededGenerator) -> [[String]] {
        var seen = Set<[String]>()
        var out = [[String]]()
        while out.count < count {
            let s = sentence(using: &random)
            if seen.insert(s).inserted { out.append(s) }
        }
        return out
    }

    private func clause(_ random: inout SeededGenerator) -> [String] {
        var words = nounPhrase(&random, allowPronoun: true)
        if random.chance(0.6) {
            words.append(random.pick(Vocabulary.transitiveVerbs))
            words += nounPhrase(&random, allowPronoun: false)
        } else {
            words.append(random.pick(Vocabulary.intransitiveVerbs))
        }
        if random.chance(0.5) {
            words.append(random.pick(Vocabulary.prepositions))
            words += nounPhrase(&random, allowPronoun: false)
        }
        if random.chance(0.3) { words.append(random.pick(Vocabulary.adverbs)) }
        return words
    }

    private func nounPhrase(_ random: inout SeededGenerator, allowPronoun: Bool) -> [String] {
        let roll = random.integer(in: 0...9)
        if allowPronoun && roll == 0 { return [random.pick(Vocabulary.pronouns)] }
        if roll == 1 { return [random.pick(Vocabulary.names)] }
        let plural = roll >= 7
        var words = [random.pick(plural ? Vocabulary.pluralDeterminers : Vocabulary.determiners)]
        if random.chance(0.45) { words.append(random.pick(Vocabulary.adjectives)) }
        words.append(random.pick(plural ? Vocabulary.pluralNouns : Vocabulary.nouns))
        return words
    }
}
