import KaldiIO
/// What a worker learned about one synthesized utterance, for the assembling step.
struct UtteranceRecord: Codable, Sendable {
    /// A labelled interval in seconds.
    struct Interval: Codable, Sendable {
        var label: String
        var start: Double
        var end: Double
    }

    var id: String
    var set: String
    var speaker: String
    var words: [String]
    var wavPath: String
    var durationSeconds: Double
    var phones: [Interval]
    var wordIntervals: [Interval]
    var pronunciations: [[String]]
    var mergedPhones: [String: Int]
    /// Sum of squared 16-bit samples and sample counts, over silences and over vowels.
    var silenceEnergy: Double
    var silenceSamples: Int
    var vowelEnergy: Double
    var vowelSamples: Int
}
