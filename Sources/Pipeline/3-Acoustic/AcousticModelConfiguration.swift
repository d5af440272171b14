/// Shape and settings of a bidirectional LSTM acoustic model.
///
/// Input `D`-dimensional features, spliced with ±`splice` neighbouring frames (`D·(2·splice+1)`
/// inputs), go through `layers` bidirectional LSTM layers of `hiddenUnits` per direction
/// (outputs concatenated, `2·hiddenUnits`), then an affine layer and log-softmax over `classes`.
/// With `projection` P > 0 each direction is an LSTMP: its output `r_t = W_p·h_t` has P values,
/// fed back into the recurrence and on to the next layer (`2·P` wide).
public struct AcousticModelConfiguration: Codable, Equatable, Sendable {
    /// Feature dimension before splicing.
    public var featureDimension: Int
    /// Neighbouring frames on each side appended to every frame. Default 0.
    public var splice: Int = 0
    /// Bidirectional layers. Default 3.
    public var layers: Int = 3
    /// LSTM units per direction. Default 256.
    public var hiddenUnits: Int = 256
    /// Output classes (phones).
    public var classes: Int
    /// Dropout probability on each BiLSTM layer's output during training. Default 0.
    public var dropout: Float = 0
    /// Units of the projection after each direction's LSTM (LSTMP); 0 for none. Default 0.
    public var projection: Int = 0

    public init(featureDimension: Int, classes: Int, layers: Int = 3, hiddenUnits: Int = 256, splice: Int = 0, dropout: Float = 0,
                projection: Int = 0) {
        self.featureDimension = featureDimension
        self.classes = classes
        self.layers = layers
        self.hiddenUnits = hiddenUnits
        self.splice = splice
        self.dropout = dropout
        self.projection = projection
    }

    enum CodingKeys: String, CodingKey { case featureDimension, splice, layers, hiddenUnits, classes, dropout, projection }

    /// Every size within bounds no real model comes near, so the layout's arithmetic cannot
    /// overflow (checked on configurations read from files).
    public var isPlausible: Bool {
        (1...100_000).contains(featureDimension) && (0...1_000).contains(splice) && (0...100).contains(layers)
            && (1...65_536).contains(hiddenUnits) && (1...1_000_000).contains(classes) && (0...65_536).contains(projection)
            && dropout.isFinite && dropout >= 0 && dropout < 1 && inputDimension <= 10_000_000
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        featureDimension = try c.decode(Int.self, forKey: .featureDimension)
        splice = try c.decode(Int.self, forKey: .splice)
        layers = try c.decode(Int.self, forKey: .layers)
        hiddenUnits = try c.decode(Int.self, forKey: .hiddenUnits)
        classes = try c.decode(Int.self, forKey: .classes)
        dropout = try c.decode(Float.self, forKey: .dropout)
        projection = try c.decodeIfPresent(Int.self, forKey: .projection) ?? 0
    }

    /// Output width of one direction: the projection size, or the hidden units without one.
    public var outputUnits: Int { projection > 0 ? projection : hiddenUnits }

    /// Width of the features entering the output layer: `2·O`, or the spliced input with no
    /// LSTM layers (`layers` = 0 makes the model a frame-local affine classifier).
    public var topDimension: Int { layers == 0 ? inputDimension : 2 * outputUnits }

    /// Network input size after splicing.
    public var inputDimension: Int { featureDimension * (2 * splice + 1) }

    /// Input size of BiLSTM layer `l`.
    func layerInputDimension(_ l: Int) -> Int { l == 0 ? inputDimension : 2 * outputUnits }
}

/// Where each weight tensor lives in the model's single flat parameter vector (which makes the
/// optimiser, gradient clipping and parameter averaging one loop each).
struct ParameterLayout: Sendable {
    /// One direction of one layer: `Wx` is `4H × I`, `Wh` is `4H × O`, `b` is `4H`, and with a
    /// projection `Wp` is `P × H` (O = P, else O = H); gate order i, f, g, o.
    struct Direction: Sendable {
        var inputWeights: Int
        var recurrentWeights: Int
        var bias: Int
        var projection: Int?
    }

    let configuration: AcousticModelConfiguration
    /// `[layer][direction]`, direction 0 forward, 1 backward.
    let directions: [[Direction]]
    /// `C × 2O` output weights and `C` biases.
    let outputWeights: Int
    let outputBias: Int
    let count: Int

    init(_ c: AcousticModelConfiguration) {
        configuration = c
        let h = c.hiddenUnits, o = c.outputUnits
        var offset = 0
        var directions = [[Direction]]()
        for l in 0..<c.layers {
            var pair = [Direction]()
            for _ in 0..<2 {
                let input = c.layerInputDimension(l)
                var d = Direction(inputWeights: offset, recurrentWeights: offset + 4 * h * input, bias: offset + 4 * h * (input + o), projection: nil)
                offset = d.bias + 4 * h
                if c.projection > 0 {
                    d.projection = offset
                    offset += c.projection * h
                }
                pair.append(d)
            }
            directions.append(pair)
        }
        self.directions = directions
        outputWeights = offset
        outputBias = offset + c.classes * c.topDimension
        count = outputBias + c.classes
    }

    /// Every tensor's name, offset and element count (for checks and error messages).
    var tensors: [(name: String, offset: Int, count: Int)] {
        let c = configuration, h = c.hiddenUnits, o = c.outputUnits
        var out = [(name: String, offset: Int, count: Int)]()
        for (l, pair) in directions.enumerated() {
            for (d, dir) in pair.enumerated() {
                let name = "layer\(l).\(d == 0 ? "forward" : "backward")"
                out.append(("\(name).Wx", dir.inputWeights, 4 * h * c.layerInputDimension(l)))
                out.append(("\(name).Wh", dir.recurrentWeights, 4 * h * o))
                out.append(("\(name).b", dir.bias, 4 * h))
                if let projection = dir.projection { out.append(("\(name).Wp", projection, c.projection * h)) }
            }
        }
        out.append(("output.W", outputWeights, c.classes * c.topDimension))
        out.append(("output.b", outputBias, c.classes))
        return out
    }
}
