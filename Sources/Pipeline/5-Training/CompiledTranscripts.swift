import KaldiIO
import Transcription

/// The training utterances whose transcripts compile, and each one's compiled transcript, made
/// again whenever it is asked for instead of held. A compiled transcript takes about a kilobyte
/// (an array per word and per pronunciation), 25 MB for 20 hours of speech; compiling one is a
/// few lexicon lookups, next to the network pass its alignment needs.
struct CompiledTranscripts: Sendable {
    let compiler: TranscriptCompiler
    let transcripts: PackedTable
    /// The utterances whose transcripts compile, in C-locale order.
    let keys: [String]

    /// The compiled transcript of `key`.
    func compile(_ key: String) throws -> CompiledTranscript {
        try compiler.compile(utterance: key, transcript: transcripts[key] ?? "")
    }
}
