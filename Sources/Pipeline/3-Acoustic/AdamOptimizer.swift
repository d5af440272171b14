import Foundation

/// Adam (Kingma & Ba) over the flat parameter vector, with gradient-norm clipping.
///
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `θ ← θ − lr · m̂ / (√v̂ + ε)` with bias-corrected
/// `m̂`, `v̂`. The moments are part of a checkpoint, so training resumes exactly.
public struct AdamOptimizer: Codable, Equatable, Sendable {
    public var learningRate: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// Gradients with a larger L2 norm are scaled down to it. Default 5.
    public var clipNorm: Float = 5
    public private(set) var step = 0
    public private(set) var firstMoment: [Float]
    public private(set) var secondMoment: [Float]

    /// An optimiser restored from a checkpoint.
    public init(learningRate: Float, step: Int, firstMoment: [Float], secondMoment: [Float]) {
        precondition(firstMoment.count == secondMoment.count)
        self.learningRate = learningRate
        self.step = step
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }

    public init(parameterCount: Int, learningRate: Float) {
        self.learningRate = learningRate
        firstMoment = [Float](repeating: 0, count: parameterCount)
        secondMoment = [Float](repeating: 0, count: parameterCount)
    }

    /// Applies one update from `gradient`.
    /// - Returns: the gradient's L2 norm before clipping.
    @discardableResult
    public mutating func update(parameters: inout [Float], gradient: [Float]) -> Float {
        precondition(parameters.count == gradient.count && gradient.count == firstMoment.count)
        var squares = 0.0
        for g in gradient { squares += Double(g) * Double(g) }
        let norm = Float(squares.squareRoot())
        let clip = norm > clipNorm && norm.isFinite ? clipNorm / norm : 1
        step += 1
        let correction1 = 1 - powf(beta1, Float(step)), correction2 = 1 - powf(beta2, Float(step))
        let rate = learningRate * correction2.squareRoot() / correction1
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                parameters.withUnsafeMutableBufferPointer { p in
                    gradient.withUnsafeBufferPointer { g in
                        for i in 0..<p.count {
                            let gi = g[i] * clip
                            m[i] = b1 * m[i] + (1 - b1) * gi
                            v[i] = b2 * v[i] + (1 - b2) * gi * gi
                            p[i] -= rate * m[i] / (v[i].squareRoot() + eps * correction2.squareRoot())
                        }
                    }
                }
            }
        }
        return norm
    }
}
