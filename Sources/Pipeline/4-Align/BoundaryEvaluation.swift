import KaldiIO
import Transcription

/// How close hypothesised phone boundaries are to reference ones — the measure forced-aligner
/// papers report (share of boundaries within 10/20/25/50 ms, mean and median absolute error),
/// and whether the hypothesis is early or late on the whole (the median signed error).
///
/// Per utterance the two label sequences are matched by edit distance; every matched phone that
/// does not start at 0 contributes its start time as one boundary.
public struct BoundaryEvaluation: Sendable {
    public var boundaries: Int
    /// Absolute boundary errors in seconds, sorted.
    public var errors: [Double]
    /// Hypothesis less reference, in seconds, sorted: positive where the hypothesis is late.
    public var signedErrors: [Double]
    public var utterances: Int
    /// Utterances in the reference missing from the hypothesis.
    public var missingUtterances: Int
    /// Reference phones left unmatched (deleted, substituted or inserted labels).
    public var unmatchedPhones: Int
    public var referencePhones: Int
    /// Every compared boundary: the reference phones on its two sides and its signed error.
    public var compared: [Boundary]

    /// One compared boundary: `left` ends and `right` starts there in the reference.
    public struct Boundary: Equatable, Sendable {
        public var left: String
        public var right: String
        /// Hypothesis less reference, in seconds.
        public var signedError: Double
    }

    /// The boundaries between one kind of phone and another, summed up.
    public struct Group: Equatable, Sendable {
        public var left: String
        public var right: String
        public var boundaries: Int
        /// Boundaries further than the tolerance from the reference.
        public var misses: Int
        /// Median of hypothesis less reference, in seconds.
        public var medianSigned: Double
    }

    /// Share of boundaries within `tolerance` seconds.
    public func within(_ tolerance: Double) -> Double {
        boundaries == 0 ? 0 : Double(errors.filter { $0 <= tolerance + 1e-9 }.count) / Double(boundaries)
    }
    public var mean: Double { errors.isEmpty ? 0 : errors.reduce(0, +) / Double(errors.count) }
    public var median: Double { errors.isEmpty ? 0 : errors[errors.count / 2] }
    /// The median of `signedErrors`: a labelling convention or a timing bias shows here.
    public var medianSigned: Double { signedErrors.isEmpty ? 0 : signedErrors[signedErrors.count / 2] }

    public init(reference: [String: [CTMEntry]], hypothesis: [String: [CTMEntry]], ignoring: Set<String> = []) {
        var compared = [Boundary]()
        var utterances = 0, missing = 0, unmatched = 0, total = 0
        for (utterance, ref) in reference {
            let r = ref.filter { !ignoring.contains($0.label) }
            total += r.count
            guard let hyp = hypothesis[utterance] else { missing += 1; unmatched += r.count; continue }
            let h = hyp.filter { !ignoring.contains($0.label) }
            utterances += 1
            let pairs = BoundaryEvaluation.match(r.map(\.label), h.map(\.label))
            unmatched += r.count - pairs.count
            for (i, j) in pairs where r[i].start > 0 && h[j].start > 0 {
                compared.append(Boundary(left: i > 0 ? r[i - 1].label : "", right: r[i].label, signedError: h[j].start - r[i].start))
            }
        }
        let signed = compared.map(\.signedError)
        self.compared = compared
        signedErrors = signed.sorted()
        errors = signed.map(abs).sorted()
        boundaries = signed.count
        self.utterances = utterances
        missingUtterances = missing
        unmatchedPhones = unmatched
        referencePhones = total
    }

    /// The boundaries grouped by the reference phones on their two sides (or those phones'
    /// classes), the groups with the most misses beyond `tolerance` seconds first (then the
    /// most boundaries, then by name).
    public func groups(tolerance: Double = 0.020, classes: PhoneClasses = PhoneClasses()) -> [Group] {
        var errorsByKind = [[String]: [Double]]()
        for boundary in compared {
            errorsByKind[[classes.name(of: boundary.left), classes.name(of: boundary.right)], default: []].append(boundary.signedError)
        }
        let groups = errorsByKind.map { kind, errors in
            let sorted = errors.sorted()
            return Group(left: kind[0], right: kind[1], boundaries: sorted.count,
                         misses: sorted.filter { abs($0) > tolerance + 1e-9 }.count, medianSigned: sorted[sorted.count / 2])
        }
        return groups.sorted {
            if $0.misses != $1.misses { return $0.misses > $1.misses }
            if $0.boundaries != $1.boundaries { return $0.boundaries > $1.boundaries }
            return ($0.left, $0.right) < ($1.left, $1.right)
        }
    }

    /// A table of the `count` groups with the most boundaries missed by more than `tolerance`
    /// seconds (see `groups`), for `parrot eval-align --breakdown`.
    public func breakdown(count: Int, tolerance: Double = 0.020, classes: PhoneClasses = PhoneClasses()) -> String {
        let all = groups(tolerance: tolerance, classes: classes)
        let totalMisses = all.reduce(0) { $0 + $1.misses }
        let shown = all.prefix(count)
        let kinds = shown.map { ($0.left.isEmpty ? "(start)" : $0.left) + " -> " + $0.right }
        let width = kinds.map(\.count).max() ?? 0
        var lines = [String(format: "boundaries by the reference phones on their two sides (%d kinds; the %d with the most beyond %.0f ms):",
                            all.count, shown.count, tolerance * 1000)]
        for (group, kind) in zip(shown, kinds) {
            lines.append("  " + kind.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "  %5d boundaries, %6.2f%% within, %5d beyond (%5.1f%% of all beyond), median signed %+6.1f ms",
                         group.boundaries, 100 * Double(group.boundaries - group.misses) / Double(group.boundaries), group.misses,
                         totalMisses == 0 ? 0 : 100 * Double(group.misses) / Double(totalMisses), 1000 * group.medianSigned))
        }
        return lines.joined(separator: "\n")
    }

    /// Index pairs of equal labels on a minimum-edit-distance alignment of `a` and `b`.
    public static func match(_ a: [String], _ b: [String]) -> [(Int, Int)] {
        EditAlignment.align(a, b).compactMap { step in
            guard let i = step.0, let j = step.1, a[i] == b[j] else { return nil }
            return (i, j)
        }
    }

    /// The report `parrot eval-align` prints.
    public var summary: String {
        var lines = [String]()
        lines.append("\(utterances) utterances, \(boundaries) phone boundaries compared (\(referencePhones - unmatchedPhones) of \(referencePhones) reference phones matched)")
        for tolerance in [0.010, 0.020, 0.025, 0.050] {
            lines.append(String(format: "within %2.0f ms: %.2f%%", tolerance * 1000, 100 * within(tolerance)))
        }
        lines.append(String(format: "mean absolute error: %.1f ms; median: %.1f ms", 1000 * mean, 1000 * median))
        lines.append(String(format: "median signed error: %+.1f ms (hypothesis minus reference: positive is late)", 1000 * medianSigned))
        if missingUtterances > 0 { lines.append("\(missingUtterances) reference utterances have no hypothesis") }
        return lines.joined(separator: "\n")
    }
}
