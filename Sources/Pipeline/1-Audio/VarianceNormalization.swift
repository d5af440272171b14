/// What CMVN does after it subtracts a speaker's (or an utterance's) mean.
public enum VarianceNormalization: String, Codable, CaseIterable, Sendable {
    /// Nothing: the mean alone (Kaldi's `apply-cmvn` default).
    case none
    /// Every bin divided by its own standard deviation (Kaldi's `apply-cmvn --norm-vars=true`):
    /// every bin of every speaker then has variance 1.
    case perBin = "per-bin"
    /// Every bin divided by one figure, the root of the bins' mean variance: a speaker's frames
    /// spread alike, whether the recording is quiet or loud, clean or noisy, while the bins
    /// keep their variances relative to one another.
    case pooled
}
