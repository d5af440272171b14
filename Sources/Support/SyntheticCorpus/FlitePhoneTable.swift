/// flite's US English phones (lowercase CMU, as its Segment relation names them) mapped to the
/// same 39 ARPAbet phones plus `SIL` as `EspeakPhoneTable.phoneSet`.
///
/// Synthesising every word of `Vocabulary` and 2,200 corpus sentences in both voices gives the
/// 39 CMU phones themselves, `ax` (reduced vowel, → AH, as the CMU dictionary writes AH0) and
/// `pau` (→ SIL). The phone set's other members that TIMIT's 39-phone folding maps are listed
/// too (`axr` → ER, `el` → L, `em` → M, `en` → N, `hv` → HH, `nx` → N); `dx` (flap: T or D?),
/// `h#` and `brth` are not, so they are an error, never a guess.
public enum FlitePhoneTable {
    /// What one flite segment becomes.
    public enum Mapping: Equatable, Sendable {
        /// One ARPAbet phone.
        case phone(String)
        /// A pause (`pau`).
        case silence
    }

    static let table: [String: Mapping] = [
        // vowels
        "aa": .phone("AA"), "ae": .phone("AE"), "ah": .phone("AH"), "ao": .phone("AO"), "aw": .phone("AW"),
        "ax": .phone("AH"), "axr": .phone("ER"), "ay": .phone("AY"), "eh": .phone("EH"), "er": .phone("ER"),
        "ey": .phone("EY"), "ih": .phone("IH"), "iy": .phone("IY"), "ow": .phone("OW"), "oy": .phone("OY"),
        "uh": .phone("UH"), "uw": .phone("UW"),
        // consonants
        "b": .phone("B"), "ch": .phone("CH"), "d": .phone("D"), "dh": .phone("DH"), "el": .phone("L"),
        "em": .phone("M"), "en": .phone("N"), "f": .phone("F"), "g": .phone("G"), "hh": .phone("HH"),
        "hv": .phone("HH"), "jh": .phone("JH"), "k": .phone("K"), "l": .phone("L"), "m": .phone("M"),
        "n": .phone("N"), "nx": .phone("N"), "ng": .phone("NG"), "p": .phone("P"), "r": .phone("R"),
        "s": .phone("S"), "sh": .phone("SH"), "t": .phone("T"), "th": .phone("TH"), "v": .phone("V"),
        "w": .phone("W"), "y": .phone("Y"), "z": .phone("Z"), "zh": .phone("ZH"),
        // pause
        "pau": .silence,
    ]

    /// The mapping of a flite phone.
    /// - Parameters:
    ///   - word: the word it is spoken in, or `nil` between words.
    /// - Throws: `SyntheticCorpusError.unmappedFlitePhone` for a phone not in the table.
    public static func mapping(of phone: String, utterance: String, word: String?) throws -> Mapping {
        guard let mapping = table[phone] else {
            throw SyntheticCorpusError.unmappedFlitePhone(phone: phone, utterance: utterance, word: word ?? "(between words)")
        }
        return mapping
    }
}
