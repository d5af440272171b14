/// Decoding and scoring: greedy best path with merging, lexicon-constrained search, PER/WER.
/// Built in issue 6; this module currently only fixes its place in the dependency order
/// (parrot → Decode → Acoustic).
public enum DecodeModule {
    /// Name of the module, for `parrot --version`.
    public static let name = "Decode"
}
