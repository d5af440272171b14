import Core
import KaldiIO
import Testing

@Suite struct PackedTableTests {
    /// Random keys and values over a small alphabet with a two-byte letter, so that prefixes,
    /// repeats and byte order (which differs from String's order for "é") all occur.
    static func randomPairs(_ count: Int, seed: UInt64) -> [(key: String, value: String)] {
        var random = SeededGenerator(seed: seed)
        let letters: [Character] = ["a", "b", "Z", "é", "-", "1"]
        func word(_ length: Int) -> String { String((0..<length).map { _ in letters[Int(random.next() % UInt64(letters.count))] }) }
        return (0..<count).map { _ in (word(Int(random.next() % 4)), word(Int(random.next() % 6))) }
    }

    @Test(arguments: [1, 2, 3]) func agreesWithADictionaryThatKeepsTheFirstOfEachKey(seed: UInt64) {
        let pairs = Self.randomPairs(300, seed: seed)
        var expected = [String: String]()
        for pair in pairs where expected[pair.key] == nil { expected[pair.key] = pair.value }
        let table = PackedTable(pairs)
        #expect(table.count == expected.count)
        // Keys in byte order: compared as arrays of bytes, independently of the table's own compare.
        #expect(table.keys == expected.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        for (key, value) in expected { #expect(table[key] == value) }
        for pair in Self.randomPairs(100, seed: seed + 10) where expected[pair.key] == nil {
            #expect(table[pair.key] == nil)
            #expect(!table.contains(pair.key))
        }
        #expect(Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value) }) == expected)
    }

    @Test func removesAndFilters() {
        let table = PackedTable([(key: "b", value: "2"), (key: "a", value: "1"), (key: "c", value: ""), (key: "b", value: "ignored")])
        #expect(table.keys == ["a", "b", "c"])
        #expect(table["b"] == "2")
        #expect(table["c"] == "")
        let removed = table.removing(["b", "x"])
        #expect(removed.keys == ["a", "c"])
        #expect(removed["b"] == nil && removed["a"] == "1")
        #expect(table.filter { $0.value.isEmpty }.keys == ["c"])
        #expect(PackedTable().isEmpty && PackedTable()["a"] == nil)
    }
}
