import Testing
@testable import XMaskCrossbar

/// Hand-worked mappings on the default geometry: 72×72 arrays, 4-bit weights on 2-bit cells
/// (2 cell columns per weight, so 36 weight columns per array), PEs of 2×2 arrays.
struct LayerMappingTests {
    let g = CrossbarGeometry()

    @Test func oneLayerFillsOneArray() {
        // 3×3 conv, Cin 8 → K = 8·3·3 = 72 rows = one row-chunk; Cout 36 = one array's weight columns.
        let m = LayerMapping(layer: .conv("c", input: 4, 8, 36, kernel: 3), geometry: g)
        #expect(m.rowChunks == 1)
        #expect(m.columnChunks == 1)
        #expect(m.arrays == 1)
        #expect(m.maskColumns == 36)
        #expect(m.usedCells == 72 * 36 * 2)
        #expect(m.utilization == 1)
        #expect(m.pes == 1)
    }

    @Test func layerNeedingRowAndColumnSplits() {
        // K = 16·3·3 = 144 → 2 row-chunks of 72; Cout 40 → 2 column-chunks (36 + 4).
        let m = LayerMapping(layer: .conv("c", input: 8, 16, 40, kernel: 3), geometry: g)
        #expect(m.rowChunks == 2)
        #expect(m.columnChunks == 2)
        #expect(m.arrays == 4)
        #expect(m.maskColumns == 2 * 40)
        #expect(m.rowsInChunk(0) == 72 && m.rowsInChunk(1) == 72)
        #expect(abs(m.utilization - Double(144 * 40 * 2) / Double(4 * 72 * 72)) < 1e-12)
        // One 2×2 PE holds all four arrays.
        #expect(m.pes == 1)
        #expect(m.peIndex(rowChunk: 1, outputChannel: 39) == 0)
        #expect(m.weights(inPE: 0) == 144 * 40)
    }

    @Test func pointwiseConvUsesPartOfTheRows() {
        // 1×1 conv, Cin 64: K = 64 < 72, so one row-chunk with 8 rows unused; a column holds 64 input channels.
        let m = LayerMapping(layer: .conv("c", input: 14, 64, 100, kernel: 1), geometry: g)
        #expect(m.rowChunks == 1)
        #expect(m.rowsInChunk(0) == 64)
        #expect(m.columnChunks == 3)  // 36 + 36 + 28
        #expect(m.maskColumns == 100)
        #expect(abs(m.utilization - Double(64 * 100 * 2) / Double(3 * 72 * 72)) < 1e-12)
    }

    @Test func firstLayerWithThreeInputChannels() {
        // ImageNet stem: 7×7, Cin 3 → K = 147 = 72 + 72 + 3.
        let m = LayerMapping(layer: .conv("conv1", input: 224, 3, 64, kernel: 7, stride: 2), geometry: g)
        #expect(m.rowChunks == 3)
        #expect([m.rowsInChunk(0), m.rowsInChunk(1), m.rowsInChunk(2)] == [72, 72, 3])
        #expect(m.columnChunks == 2)
        #expect(m.arrays == 6)
        #expect(m.layer.outputPositions == 112 * 112)
        // PE grid: row-chunks {0,1} and {2} × column-chunks {0,1}: 2 PEs.
        #expect(m.pes == 2)
        #expect(m.peIndex(rowChunk: 2, outputChannel: 0) == 1)
        #expect(m.weights(inPE: 0) + m.weights(inPE: 1) == 147 * 64)
        #expect(m.arrays(inPE: 0) == 4 && m.arrays(inPE: 1) == 2)
    }

    @Test func peIndicesCoverEveryColumnOnce() {
        let geometry = CrossbarGeometry(peArrayRows: 2, peArrayColumns: 3)
        let m = LayerMapping(layer: .conv("c", input: 8, 64, 200, kernel: 3), geometry: geometry)
        var columns = Array(repeating: 0, count: m.pes)
        for r in 0..<m.rowChunks { for c in 0..<200 { columns[m.peIndex(rowChunk: r, outputChannel: c)] += 1 } }
        #expect(columns == (0..<m.pes).map { m.maskColumns(inPE: $0) })
        #expect((0..<m.pes).reduce(0) { $0 + m.weights(inPE: $1) } == m.layer.weights)
        #expect((0..<m.pes).reduce(0) { $0 + m.arrays(inPE: $1) } == m.arrays)
    }

    @Test func wideCellsNeedFewerColumns() {
        // 4-bit weights on 4-bit cells: one cell column per weight, 72 weight columns per array.
        let geometry = CrossbarGeometry(cellBits: 4)
        let m = LayerMapping(layer: .conv("c", input: 4, 8, 72, kernel: 3), geometry: geometry)
        #expect(m.cellsPerWeight == 1)
        #expect(m.columnChunks == 1)
        // 3-bit cells for 4-bit weights: ⌈4/3⌉ = 2 cells per weight.
        #expect(CrossbarGeometry(cellBits: 3).cellsPerWeight == 2)
    }

    @Test func networkTotalsAddUp() throws {
        let net = NetworkShape(name: "two", layers: [.conv("a", input: 8, 16, 40, kernel: 3), .conv("b", input: 8, 40, 10, kernel: 1)])
        let mapping = try NetworkMapping(network: net, geometry: g)
        #expect(mapping.arrays == 4 + 1)
        #expect(mapping.weights == 144 * 40 + 40 * 10)
        #expect(mapping.backboneBits == mapping.weights * 4)
        #expect(mapping.sparePEs == 1)  // ⌈0.1 · 2 PEs⌉
    }
}
