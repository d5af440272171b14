/// Forced alignment: lexicon, alignment graph, Viterbi, flat start and iterative re-alignment.
/// Built in issue 5; this module currently only fixes its place in the dependency order
/// (parrot → Align → Acoustic).
public enum AlignModule {
    /// Name of the module, for `parrot --version`.
    public static let name = "Align"
}
