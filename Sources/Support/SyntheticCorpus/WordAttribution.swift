import KaldiIO
/// Gives every word of the sentence its own word event.
///
/// eSpeak NG reads some word pairs as one unit ("in the") and then reports one word event for
/// both. The group's phonemes are shared out from the end: each unreported word takes as many
/// phones as it has when spoken alone (`isolatedPhoneCount`), the first word keeps the rest.
public enum WordAttribution {
    /// `events` with a `.word` event inserted before the first phoneme of every unreported word.
    /// - Parameters:
    ///   - wordCount: words in the sentence.
    ///   - isolatedPhoneCount: phone-bearing eSpeak phonemes of word `i` spoken alone.
    ///   - utterance: for error messages.
    ///   - inventory: which eSpeak events bear phones.
    /// - Throws: `SyntheticCorpusError.wordCountMismatch` when a group cannot be shared out.
    public static func completingWordEvents(_ events: [SynthesisEvent], wordCount: Int, utterance: String,
                                            inventory: PhoneInventory = .arpabet, isolatedPhoneCount: (Int) throws -> Int) throws -> [SynthesisEvent] {
        var out = events
        let wordPositions = events.enumerated().compactMap { item -> (position: Int, index: Int)? in
            if case let .word(index, _) = item.element { return (item.offset, index) }
            return nil
        }
        guard let first = wordPositions.first, first.index == 0 else {
            throw SyntheticCorpusError.wordCountMismatch(utterance: utterance, expected: wordCount, found: wordPositions.count)
        }
        // Groups: a reported word followed by unreported ones, up to the next reported word (or the end).
        var insertions = [(position: Int, event: SynthesisEvent)]()
        for (n, reported) in wordPositions.enumerated() {
            let nextIndex = n + 1 < wordPositions.count ? wordPositions[n + 1].index : wordCount
            let nextPosition = n + 1 < wordPositions.count ? wordPositions[n + 1].position : events.count
            guard nextIndex > reported.index + 1 else { continue }
            // Phone-bearing phoneme events of the group, by position.
            let phonePositions = (reported.position + 1..<nextPosition).filter { p in
                if case let .phoneme(mnemonic, _) = events[p], case .phones = try? inventory.mapping(of: mnemonic, utterance: utterance, word: nil) {
                    return true
                }
                return false
            }
            var end = phonePositions.count
            for missing in stride(from: nextIndex - 1, through: reported.index + 1, by: -1) {
                let count = try isolatedPhoneCount(missing)
                let start = end - count
                guard count > 0, start >= 1 else {
                    throw SyntheticCorpusError.wordCountMismatch(utterance: utterance, expected: wordCount, found: wordPositions.count)
                }
                let position = phonePositions[start]
                guard case let .phoneme(_, sample) = events[position] else { continue }
                insertions.append((position, .word(index: missing, sample: sample)))
                end = start
            }
        }
        for insertion in insertions.sorted(by: { $0.position > $1.position }) {
            out.insert(insertion.event, at: insertion.position)
        }
        return out
    }
}
