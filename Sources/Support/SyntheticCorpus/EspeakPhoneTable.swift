import KaldiIO
/// eSpeak NG's American English phoneme mnemonics (as its phoneme events report them) mapped to
/// the CMU dictionary's 39 ARPAbet phones without stress, plus `SIL`.
///
/// Every mnemonic the en-us voice produces for `Vocabulary` is listed (found by synthesising all
/// of it), and those met in 5,000 other dictionary words; an unlisted one is an error, never a guess. Folding choices, as TIMIT's 39-phone set
/// makes them: syllabic `@L` → L; reduced vowels (`@`, `@2`, `a#`, `I#`, `I2`) → AH or IH;
/// the flap `t#` → T. r-coloured vowels are one eSpeak event but two ARPAbet phones (`A@` → AA R);
/// their duration is split `splitFraction` : 1 − `splitFraction`.
public enum EspeakPhoneTable {
    /// What one eSpeak phoneme event becomes.
    public enum Mapping: Equatable, Sendable {
        /// One or two ARPAbet phones.
        case phones([String])
        /// Silence (`_`, `_:`, `_!`).
        case silence
        /// A transitional marker with no phone of its own (`;`, a linking glide): its samples join the following phone.
        case joinsNext
    }

    /// Share of a two-phone event's duration given to its first phone.
    public static let splitFraction = 0.6

    /// The 39 ARPAbet phones plus SIL.
    public static let phoneSet: [String] = [
        "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY", "JH",
        "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH", "SIL",
    ]

    /// Stops and affricates: phones whose closure eSpeak leaves before the phoneme event.
    public static let stops: Set<String> = ["P", "B", "T", "D", "K", "G", "CH", "JH"]

    public static let vowels: Set<String> = ["AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"]

    static let table: [String: Mapping] = [
        // vowels
        "a": .phones(["AE"]), "aa": .phones(["AE"]), "a#": .phones(["AH"]), "A:": .phones(["AA"]), "0": .phones(["AA"]),
        "A@": .phones(["AA", "R"]), "@": .phones(["AH"]), "@2": .phones(["AH"]), "V": .phones(["AH"]),
        "3": .phones(["ER"]), "3:": .phones(["ER"]), "E": .phones(["EH"]), "e@": .phones(["EH", "R"]),
        "eI": .phones(["EY"]), "I": .phones(["IH"]), "I#": .phones(["IH"]), "I2": .phones(["IH"]),
        "i": .phones(["IY"]), "i:": .phones(["IY"]), "i@3": .phones(["IH", "R"]), "O:": .phones(["AO"]),
        "O2": .phones(["AO"]), "O@": .phones(["AO", "R"]), "o@": .phones(["AO", "R"]), "OI": .phones(["OY"]),
        "oU": .phones(["OW"]), "U": .phones(["UH"]), "U@": .phones(["UH", "R"]), "u:": .phones(["UW"]),
        "aI": .phones(["AY"]), "aI3": .phones(["AY", "ER"]), "aI@": .phones(["AY", "AH"]), "aU": .phones(["AW"]),
        // consonants
        "p": .phones(["P"]), "b": .phones(["B"]), "t": .phones(["T"]), "t#": .phones(["T"]), "t2": .phones(["T"]),
        "d": .phones(["D"]), "k": .phones(["K"]), "g": .phones(["G"]), "tS": .phones(["CH"]), "dZ": .phones(["JH"]),
        "f": .phones(["F"]), "v": .phones(["V"]), "T": .phones(["TH"]), "D": .phones(["DH"]), "s": .phones(["S"]),
        "z": .phones(["Z"]), "S": .phones(["SH"]), "Z": .phones(["ZH"]), "h": .phones(["HH"]), "m": .phones(["M"]),
        "n": .phones(["N"]), "N": .phones(["NG"]), "l": .phones(["L"]), "@L": .phones(["L"]), "r": .phones(["R"]),
        "r-": .phones(["R"]), "w": .phones(["W"]), "j": .phones(["Y"]),
        // met only in words beyond the corpus's vocabulary (pronunciations for a lexicon's
        // missing words, EspeakPronouncer): -ia endings, the short schwa before r, the glottal
        // stop eSpeak puts for t before a syllabic n (and that n), the velar fricative and the (nasal) open o of loan words, Spanish ll
        "i@": .phones(["IY", "AH"]), "@-": .phones(["AH"]), "?": .phones(["T"]), "x": .phones(["K"]), "l#": .phones(["L"]),
        "n-": .phones(["AH", "N"]), "O": .phones(["AO"]), "O~": .phones(["AO"]),
        // met only in eSpeak's other English voices: Scottish English's r-coloured vowels and
        // its second ai and wh, Caribbean English's dental t
        "IR": .phones(["ER"]), "VR": .phones(["ER"]), "aI2": .phones(["AY"]), "w#": .phones(["W"]), "t[": .phones(["T"]),
        // pauses and markers
        "_": .silence, "_:": .silence, "_!": .silence, "_|": .silence, ";": .joinsNext,
    ]

    /// The mapping of an eSpeak mnemonic.
    /// - Throws: `SyntheticCorpusError.unmappedPhoneme` for a mnemonic not in the table.
    public static func mapping(of mnemonic: String, utterance: String, word: String?) throws -> Mapping {
        guard let mapping = table[mnemonic] else {
            throw SyntheticCorpusError.unmappedPhoneme(mnemonic: mnemonic, utterance: utterance, word: word ?? "(between words)")
        }
        return mapping
    }
}
