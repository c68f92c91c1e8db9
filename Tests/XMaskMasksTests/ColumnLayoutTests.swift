import Testing
import XMaskCrossbar
@testable import XMaskMasks
import XMaskTensor

@Suite struct ColumnLayoutTests {
    let geometry = CrossbarGeometry()  // 72×72, 2-bit cells, 4-bit weights, 2×2 arrays per PE

    @Test func threeByThreeKernelsGroupEightChannelsPerColumn() {
        let l = ColumnLayout(weightShape: [16, 16, 3, 3], geometry: geometry)
        #expect(l.unrolledRows == 144)
        #expect(l.rowChunks == 2)          // 144 / 72
        #expect(l.columns == 32)           // 2 chunks × 16 outputs
        #expect(l.mapping.weightColumnsPerArray == 36)  // 72 cell columns / 2 cells per weight
        #expect(l.mapping.arrays == 2)
        #expect(l.peCount == 1)
        // Mask column (chunk 1, cout 5) gates input channels 8..<16 of output 5, all 3×3 taps.
        var v = [Float](repeating: 1, count: 32)
        v[1 * 16 + 5] = 0
        let w = l.expandColumns(Tensor(shape: [2, 16], scalars: v))
        for cin in 0..<16 {
            for tap in 0..<9 {
                let value = w.scalars[((5 * 16 + cin) * 9) + tap]
                #expect(value == (cin >= 8 ? 0 : 1))
            }
        }
        #expect(w.scalars.filter { $0 == 0 }.count == 72)
    }

    @Test func firstLayerWithThreeInputChannelsFitsOneChunk() {
        let l = ColumnLayout(weightShape: [16, 3, 3, 3], geometry: geometry)
        #expect(l.rowChunks == 1)
        #expect(l.columns == 16)
    }

    @Test func pointwiseConvHoldsSeventyTwoChannelsPerColumn() {
        let l = ColumnLayout(weightShape: [64, 144, 1, 1], geometry: geometry)
        #expect(l.rowChunks == 2)
        let w = l.expandColumns(Tensor(shape: [2, 64], scalars: (0..<128).map { $0 < 64 ? 1 : 0 }))
        // Output 0: channels 0..<72 kept (chunk 0), 72..<144 dropped (chunk 1).
        #expect(Array(w.scalars[0..<72]) == [Float](repeating: 1, count: 72))
        #expect(Array(w.scalars[72..<144]) == [Float](repeating: 0, count: 72))
    }

    @Test func peGridFollowsTheCrossbarMapping() {
        // K = 64·9 = 576 → 8 row-chunks; Cout 128 → 4 array columns of 36; PEs of 2×2 arrays → 4 × 2.
        let l = ColumnLayout(weightShape: [128, 64, 3, 3], geometry: geometry)
        #expect(l.rowChunks == 8 && l.mapping.columnChunks == 4 && l.peCount == 8)
        let pe = l.peOfWeights()
        #expect(pe[0] == 0)                          // cout 0, row 0
        #expect(pe[(71 * 576) + 575] == 6)           // cout 71 → array col 1 → PE col 0; row-chunk 7 → PE row 3
        #expect(pe[(72 * 576)] == 1)                 // cout 72 → array column 2 → PE column 1
        #expect(pe[(0 * 576) + 144] == 2)            // row 144 → chunk 2 → PE row 1
        #expect(l.mapping.peIndex(rowChunk: 2, outputChannel: 72) == 3)  // chunk 2, cout 72 → PE (1, 1)
        let expanded = l.expandPEs(Tensor(shape: [8], scalars: (0..<8).map(Float.init)))
        #expect(expanded.scalars == pe.map(Float.init))
    }

    /// The layout is the crossbar model's mapping of the same layer: row-chunks, PE grid and
    /// PE numbering agree with the `LayerMapping` the hardware report builds from the network.
    @Test(arguments: [[128, 64, 3, 3], [16, 3, 3, 3], [64, 144, 1, 1], [200, 100, 3, 3]])
    func layoutIsTheHardwareMapping(shape: [Int]) {
        let g = CrossbarGeometry(peArrayRows: 3, peArrayColumns: 2)
        let l = ColumnLayout(weightShape: shape, geometry: g)
        let hw = LayerMapping(layer: .conv("x", input: 16, shape[1], shape[0], kernel: shape[2]), geometry: g)
        #expect(l.rowChunks == hw.rowChunks && l.columns == hw.maskColumns && l.peCount == hw.pes)
        let pe = l.peOfWeights()
        let k = l.unrolledRows
        for c in 0..<shape[0] {
            for row in 0..<k {
                #expect(pe[c * k + row] == hw.peIndex(rowChunk: row / g.arrayRows, outputChannel: c))
            }
        }
        // Every weight of PE p lies in the extent the hardware model gives PE p.
        for p in 0..<hw.pes {
            #expect(pe.filter { $0 == p }.count == hw.weights(inPE: p))
        }
    }

    @Test func kernelsExpandOverTaps() {
        let l = ColumnLayout(weightShape: [2, 3, 2, 2], geometry: geometry)
        let w = l.expandKernels(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(w.scalars == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6])
    }
}

@Suite struct BitPackingTests {
    @Test(arguments: [1, 2, 3, 5]) func roundTrip(_ bits: Int) {
        let values = (0..<37).map { ($0 * 7) % (1 << bits) }
        let packed = BitPacking.pack(values, bits: bits)
        #expect(packed.count == (37 * bits + 7) / 8)
        #expect(BitPacking.unpack(packed, count: 37, bits: bits) == values)
        #expect(BitPacking.unpack(Array(packed.dropLast()), count: 37, bits: bits) == nil)
    }

    @Test func leastSignificantBitFirst() {
        #expect(BitPacking.pack([1, 0, 1, 1, 0, 0, 0, 0, 1], bits: 1) == [0b0000_1101, 0b1])
    }
}

@Suite struct ShiftLevelTests {
    @Test func levelsAndBits() {
        #expect(ShiftLevels(count: 0).all == [0, 1])
        #expect(ShiftLevels(count: 0).bitsPerValue == 1)
        #expect(ShiftLevels(count: 3).all == [0, 0.125, 0.25, 0.5, 1])
        #expect(ShiftLevels(count: 3).bitsPerValue == 3)
        #expect(ShiftLevels(count: 2).bitsPerValue == 2)
        #expect(ShiftLevels(count: 1).all == [0, 0.5, 1])
        // Beyond 3 (8-bit weights allow up to 7): the staircase continues, ⌈log2(N + 2)⌉ bits.
        #expect(ShiftLevels(count: 5).all == [0, 0.03125, 0.0625, 0.125, 0.25, 0.5, 1])
        #expect(ShiftLevels(count: 5).bitsPerValue == 3)
        #expect(ShiftLevels(count: 7).bitsPerValue == 4)
    }

    @Test func droppedColumnsRoundToNearestShift() {
        let l = ShiftLevels(count: 3)
        #expect(l.quantizeDropped(0.03) == 0)
        #expect(l.quantizeDropped(0.1) == 0.125)
        #expect(l.quantizeDropped(0.3) == 0.25)
        #expect(l.quantizeDropped(0.9) == 0.5)
        #expect(ShiftLevels(count: 0).quantizeDropped(0.9) == 0)
    }
}
