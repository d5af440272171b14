/// Minimum-edit-distance (Levenshtein) alignment of two label sequences, each insertion,
/// deletion and substitution costing 1. Among equally short alignments, a substitution is
/// preferred to a deletion plus an insertion (as `compute-wer` and sclite count errors).
/// Used to pair reference and hypothesis phones (`eval-align`) and to count errors (`score`).
public enum EditAlignment {
    /// The alignment's steps in order: `(i, j)` pairs a[i] with b[j] (equal or substituted);
    /// `(i, nil)` deletes a[i]; `(nil, j)` inserts b[j].
    public static func align(_ a: [String], _ b: [String]) -> [(Int?, Int?)] {
        let n = a.count, m = b.count
        // cost[i][j]: edits between a[..<i] and b[..<j].
        var cost = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in 0...n { cost[i][0] = i }
        for j in 0...m { cost[0][j] = j }
        if n > 0 && m > 0 {
            for i in 1...n {
                for j in 1...m {
                    cost[i][j] = min(cost[i - 1][j] + 1, cost[i][j - 1] + 1, cost[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
            }
        }
        var steps = [(Int?, Int?)]()
        var i = n, j = m
        while i > 0 || j > 0 {
            if i > 0 && j > 0 && cost[i][j] == cost[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1) {
                steps.append((i - 1, j - 1)); i -= 1; j -= 1
            } else if i > 0 && cost[i][j] == cost[i - 1][j] + 1 {
                steps.append((i - 1, nil)); i -= 1
            } else {
                steps.append((nil, j - 1)); j -= 1
            }
        }
        return steps.reversed()
    }
}
