/// The phones a synthetic corpus's references and lexicons are written in.
public enum PhoneInventory: Codable, Equatable, Sendable {
    /// American English: eSpeak NG's mnemonics mapped to the CMU dictionary's ARPAbet phones plus
    /// `SIL` (`EspeakPhoneTable`); an unmapped mnemonic is an error.
    case arpabet
    /// Any other language: eSpeak NG's own phoneme mnemonics as its events name them (`a:`,
    /// `ts`, `r-`), plus `SIL`, the same phones `parrot lexicon --language` writes.
    case espeak

    /// What one eSpeak phoneme event becomes.
    /// - Throws: `SyntheticCorpusError.unmappedPhoneme` (ARPAbet only) for a mnemonic not in the table.
    public func mapping(of mnemonic: String, utterance: String, word: String?) throws -> EspeakPhoneTable.Mapping {
        switch self {
        case .arpabet: return try EspeakPhoneTable.mapping(of: mnemonic, utterance: utterance, word: word)
        case .espeak:
            if mnemonic.hasPrefix("_") { return .silence }   // pauses, and markers such as `_^_` (a switch of language)
            // `;` and the language switches `(en)`, `(de)` mark the next phones and have none of their own.
            if mnemonic == ";" || mnemonic.hasPrefix("(") && mnemonic.hasSuffix(")") { return .joinsNext }
            return .phones([mnemonic])
        }
    }

    /// Whether `phone` is a stop or affricate, whose closure eSpeak leaves before its event.
    public func isStop(_ phone: String) -> Bool {
        switch self {
        case .arpabet: return EspeakPhoneTable.stops.contains(phone)
        case .espeak:
            // eSpeak writes plosives with these letters (`c` palatal, `q` uvular); affricates add a fricative.
            guard let first = phone.first, "pbtdkgcq".contains(first) else { return false }
            return phone.count == 1 || ["ts", "tS", "dz", "dZ", "pf", "pF", "t#", "t2", "k2", "kh", "ph", "th"].contains(phone)
        }
    }

    /// Whether `phone` is a vowel (for the corpus's silence-to-vowel energy figure).
    public func isVowel(_ phone: String) -> Bool {
        switch self {
        case .arpabet: return EspeakPhoneTable.vowels.contains(phone)
        case .espeak:
            guard let first = phone.first else { return false }
            return "aeiouyAEIOUYV@0239&".contains(first)
        }
    }
}
