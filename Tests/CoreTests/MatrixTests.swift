import Core
import Testing

@Suite struct MatrixTests {
    /// Rows 1, 2, 3 of one column with ±1 context: each row becomes (previous, itself, next), the
    /// edges repeating the first and last rows (worked by hand).
    @Test func splicingRepeatsEdgeRows() {
        let m = Matrix(rows: 3, columns: 1, values: [1, 2, 3])
        #expect(m.spliced(context: 1) == [1, 1, 2, 1, 2, 3, 2, 3, 3])
        #expect(m.spliced(context: 0) == [1, 2, 3])
    }

    @Test func splicingKeepsColumnsTogether() {
        let m = Matrix(rows: 2, columns: 2, values: [1, 10, 2, 20])
        #expect(m.spliced(context: 2) == [1, 10, 1, 10, 1, 10, 2, 20, 2, 20,
                                          1, 10, 1, 10, 2, 20, 2, 20, 2, 20])
    }
}
