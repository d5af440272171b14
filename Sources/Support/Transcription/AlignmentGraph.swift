/// The states an utterance's alignment may pass through, top to bottom as in the lecture's
/// table, grown for real speech:
///
///     [SIL]  word₁ (any pronunciation)  [SIL]  word₂  …  wordₙ  [SIL]
///
/// with every silence optional. Each phone occurrence is a *unit* expanded into a chain of
/// `minimumDuration` states sharing one output class, so a phone lasts at least that many frames;
/// the chain's last state loops on itself. A silence between words may be made to last longer
/// (`minimumPause`), so that a stop's closure at the start of a word is not taken for a pause.
/// A word's second and later pronunciations may cost a fixed log-score to enter (`variantCost`),
/// so that the lexicon's first pronunciation wins unless the speech clearly says otherwise.
/// A path through the graph from a start unit to an end unit, one state per frame, is exactly
/// one valid alignment.
public struct AlignmentGraph: Sendable {
    /// One phone occurrence.
    public struct Unit: Equatable, Sendable {
        /// Output class (index into the model's phone set).
        public var phone: Int
        /// Index of the transcript word it belongs to, nil for an optional silence.
        public var word: Int?
        /// Index of the pronunciation variant of that word.
        public var variant: Int
        /// Units whose last state may be followed by this unit's first state.
        public var predecessors: [Int]
        public var isStart: Bool
        public var isEnd: Bool
        /// Frames the unit lasts at least (its number of states).
        public var duration: Int
        /// Log-score subtracted when a path enters the unit from another one (not on its self-loop).
        public var entryCost: Float = 0
    }

    public private(set) var units: [Unit] = []
    /// First state of each unit.
    public private(set) var firstState: [Int] = []
    /// Total states.
    public private(set) var stateCount = 0
    /// Frames of the shortest path: the fewest frames the transcript can be aligned to.
    public private(set) var minimumFrames = 0

    /// Builds the graph for a transcript.
    /// - Parameters:
    ///   - words: per word, its pronunciations as class indices.
    ///   - silence: class index of silence.
    ///   - optionalSilence: allow silence at the start, between words and at the end.
    ///   - minimumDuration: states per phone (frames it lasts at least); also for the silences at
    ///     the start and the end.
    ///   - minimumPause: frames a silence between two words lasts at least; nil for `minimumDuration`.
    ///   - variantCost: log-score a path pays for taking a word's second or later pronunciation
    ///     (the entry cost of that pronunciation's first unit); 0 treats all pronunciations alike.
    public init(words: [[[Int]]], silence: Int, optionalSilence: Bool = true, minimumDuration: Int = 3, minimumPause: Int? = nil, variantCost: Float = 0) {
        precondition(!words.isEmpty && words.allSatisfy { !$0.isEmpty && $0.allSatisfy { !$0.isEmpty } }, "every word needs a non-empty pronunciation")
        let duration = max(1, minimumDuration)
        let pause = max(1, minimumPause ?? duration)
        var previousExits = [Int]()   // last units of the previous word's variants
        func add(_ unit: Unit) -> Int {
            units.append(unit)
            return units.count - 1
        }
        for (w, variants) in words.enumerated() {
            var silenceBefore: Int?
            if optionalSilence {
                silenceBefore = add(Unit(phone: silence, word: nil, variant: 0, predecessors: previousExits,
                                         isStart: w == 0, isEnd: false, duration: w == 0 ? duration : pause))
            }
            var exits = [Int]()
            for (v, phones) in variants.enumerated() {
                var previous: Int?
                for (k, phone) in phones.enumerated() {
                    var predecessors: [Int]
                    if k == 0 {
                        predecessors = previousExits
                        if let silenceBefore { predecessors.append(silenceBefore) }
                    } else {
                        predecessors = [previous!]
                    }
                    previous = add(Unit(phone: phone, word: w, variant: v, predecessors: predecessors,
                                        isStart: w == 0 && k == 0, isEnd: false, duration: duration,
                                        entryCost: k == 0 && v > 0 ? variantCost : 0))
                }
                exits.append(previous!)
            }
            previousExits = exits
        }
        for exit in previousExits { units[exit].isEnd = true }
        if optionalSilence {
            _ = add(Unit(phone: silence, word: nil, variant: 0, predecessors: previousExits, isStart: false, isEnd: true, duration: duration))
        }
        var offset = 0
        for unit in units {
            firstState.append(offset)
            offset += unit.duration
        }
        stateCount = offset
        minimumFrames = words.reduce(0) { total, variants in total + variants.map { $0.count }.min()! * duration }
    }

    /// Output class of each state.
    public var stateClasses: [Int] {
        units.flatMap { unit in [Int](repeating: unit.phone, count: unit.duration) }
    }

    /// Unit of each state.
    var stateUnits: [Int] {
        units.indices.flatMap { u in [Int](repeating: u, count: units[u].duration) }
    }

    /// Predecessor states of every state (including its self-loop), in compressed-row form:
    /// the predecessors of state `s` are `predecessors[offsets[s]..<offsets[s+1]]`, and
    /// `weights[e]` is the log-score added on edge `e` (minus the entry cost of a unit entered
    /// from another one, else 0).
    func predecessorTable() -> (offsets: [Int32], predecessors: [Int32], weights: [Float]) {
        var offsets: [Int32] = [0]
        var predecessors = [Int32]()
        var weights = [Float]()
        for (u, unit) in units.enumerated() {
            let first = firstState[u]
            for k in 0..<unit.duration {
                let state = first + k
                if k == 0 {
                    for p in unit.predecessors {
                        predecessors.append(Int32(firstState[p] + units[p].duration - 1))
                        weights.append(-unit.entryCost)
                    }
                } else {
                    predecessors.append(Int32(state - 1))
                    weights.append(0)
                }
                if k == unit.duration - 1 {   // self-loop
                    predecessors.append(Int32(state))
                    weights.append(0)
                }
                offsets.append(Int32(predecessors.count))
            }
        }
        return (offsets, predecessors, weights)
    }

    /// States a path may start in (first states of start units) and end in (last states of end units).
    var startStates: [Int] { startWeights.map(\.state) }
    /// The start states with the log-score a path pays to begin in each (a costed pronunciation's entry).
    var startWeights: [(state: Int, weight: Float)] {
        units.indices.filter { units[$0].isStart }.map { (firstState[$0], -units[$0].entryCost) }
    }
    var endStates: [Int] { units.indices.filter { units[$0].isEnd }.map { firstState[$0] + units[$0].duration - 1 } }
}
