import Core
import KaldiIO

/// Cepstral mean and variance normalisation statistics in Kaldi's `cmvn.scp` layout.
///
/// Stored as a `2 × (D+1)` double matrix: row 0 holds the per-dimension sums and, last, the frame
/// count; row 1 holds the sums of squares and a trailing 0. Statistics of several utterances add
/// up, so per-speaker statistics are the sum of their utterances'.
public struct CMVNStatistics: Equatable, Sendable {
    public private(set) var sums: [Double]
    public private(set) var sumsOfSquares: [Double]
    public private(set) var frameCount: Double

    /// Empty statistics for `dimension`-dimensional features.
    public init(dimension: Int) {
        sums = [Double](repeating: 0, count: dimension)
        sumsOfSquares = [Double](repeating: 0, count: dimension)
        frameCount = 0
    }

    /// Statistics of one feature matrix (`frames × dimension`).
    public init(features: Matrix) {
        self.init(dimension: features.columns)
        accumulate(features)
    }

    /// Reads Kaldi's `2 × (D+1)` layout.
    /// - Returns: nil if the matrix does not have that shape.
    public init?(kaldi matrix: DoubleMatrix) {
        guard matrix.rows == 2, matrix.columns >= 2 else { return nil }
        let d = matrix.columns - 1
        sums = Array(matrix.values[0..<d])
        frameCount = matrix.values[d]
        sumsOfSquares = Array(matrix.values[(d + 1)..<(2 * d + 1)])
    }

    public var dimension: Int { sums.count }

    /// Adds every frame of `features`.
    public mutating func accumulate(_ features: Matrix) {
        precondition(features.columns == dimension, "feature dimension \(features.columns) != statistics dimension \(dimension)")
        let d = dimension
        features.values.withUnsafeBufferPointer { v in
            for t in 0..<features.rows {
                for j in 0..<d {
                    let x = Double(v[t * d + j])
                    sums[j] += x
                    sumsOfSquares[j] += x * x
                }
            }
        }
        frameCount += Double(features.rows)
    }

    /// Adds another set of statistics (e.g. another utterance of the same speaker).
    public mutating func add(_ other: CMVNStatistics) {
        precondition(other.dimension == dimension)
        for j in 0..<dimension {
            sums[j] += other.sums[j]
            sumsOfSquares[j] += other.sumsOfSquares[j]
        }
        frameCount += other.frameCount
    }

    /// Kaldi's `2 × (D+1)` double matrix.
    public var kaldiMatrix: DoubleMatrix {
        DoubleMatrix(rows: 2, columns: dimension + 1, values: sums + [frameCount] + sumsOfSquares + [0])
    }

    /// Normalises `features` in place, as Kaldi's `apply-cmvn`: subtract the mean, then divide as
    /// `variance` says (`perBin`: by each bin's standard deviation, as `--norm-vars=true`;
    /// `pooled`: every bin by the root of the bins' mean variance; variances floored at 1e-20).
    public func apply(to features: inout Matrix, variance: VarianceNormalization = .none) {
        precondition(features.columns == dimension, "feature dimension \(features.columns) != statistics dimension \(dimension)")
        guard frameCount > 0 else { return }
        let d = dimension
        let means = sums.map { $0 / frameCount }
        let variances = (0..<d).map { j in max(sumsOfSquares[j] / frameCount - means[j] * means[j], 1e-20) }
        let pooled = max(variances.reduce(0, +) / Double(d), 1e-20)
        var offset = [Float](repeating: 0, count: d)
        var scale = [Float](repeating: 1, count: d)
        for j in 0..<d {
            let s: Double
            switch variance {
            case .none: s = 1
            case .perBin: s = 1 / variances[j].squareRoot()
            case .pooled: s = 1 / pooled.squareRoot()
            }
            scale[j] = Float(s)
            offset[j] = Float(-means[j] * s)
        }
        features.values.withUnsafeMutableBufferPointer { v in
            for t in 0..<features.rows {
                for j in 0..<d { v[t * d + j] = v[t * d + j] * scale[j] + offset[j] }
            }
        }
    }
}
