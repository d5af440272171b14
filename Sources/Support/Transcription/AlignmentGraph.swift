/// The states an utterance's alignment may pass through, top to bottom as in the lecture's
/// table, grown for real speech:
///
///     [SIL]  word₁ (any pronunciation)  [SIL]  word₂  …  wordₙ  [SIL]
///
/// with every silence optional. Each phone occurrence is a *unit* expanded into a chain of
/// `minimumDuration` states sharing one output class, so a phone lasts at least that many frames;
/// the chain's last state loops on itself. A silence between words may be made to last longer
/// (`minimumPause`), so that a stop's closure at the start of a word is not taken for a pause.
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
    public init(words: [[[Int]]], silence: Int, optionalSilence: Bool = true, minimumDuration: Int = 3, minimumPause: Int? = nil) {
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
                                        isStart: w == 0 && k == 0, isEnd: false, duration: duration))
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
    /// the predecessors of state `s` are `predecessors[offsets[s]..<offsets[s+1]]`.
    func predecessorTable() -> (offsets: [Int32], predecessors: [Int32]) {
        var offsets: [Int32] = [0]
        var predecessors = [Int32]()
        for (u, unit) in units.enumerated() {
            let first = firstState[u]
            for k in 0..<unit.duration {
                let state = first + k
                if k == 0 {
                    for p in unit.predecessors { predecessors.append(Int32(firstState[p] + units[p].duration - 1)) }
                } else {
                    predecessors.append(Int32(state - 1))
                }
                if k == unit.duration - 1 { predecessors.append(Int32(state)) }   // self-loop
                offsets.append(Int32(predecessors.count))
            }
        }
        return (offsets, predecessors)
    }

    /// States a path may start in (first states of start units) and end in (last states of end units).
    var startStates: [Int] { units.indices.filter { units[$0].isStart }.map { firstState[$0] } }
    var endStates: [Int] { units.indices.filter { units[$0].isEnd }.map { firstState[$0] + units[$0].duration - 1 } }
}
