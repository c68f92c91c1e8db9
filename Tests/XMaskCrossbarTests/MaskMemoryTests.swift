import Testing
@testable import XMaskCrossbar
import XMaskExperiments

struct MaskMemoryTests {
    let g = CrossbarGeometry()

    @Test func bitsPerMethodForOneLayer() {
        // K = 144, Cout = 40: 5,760 weights, 80 mask columns, 40·16 = 640 kernels, 1 PE.
        let m = LayerMapping(layer: .conv("c", input: 8, 16, 40, kernel: 3), geometry: g)
        #expect(m.maskMemory(method: .fineTune).bits == 5_760 * 4)
        #expect(m.maskMemory(method: .piggyback).bits == 5_760)
        #expect(m.maskMemory(method: .ksm).bits == 640 * (1 + 32))
        let ksm8 = LayerMapping(layer: .conv("c", input: 8, 16, 40, kernel: 3), geometry: CrossbarGeometry(ksmRealValueBits: 8))
        #expect(ksm8.maskMemory(method: .ksm).bits == 640 * 9)
        let xbm = m.maskMemory(method: .xbm)
        #expect(xbm.values == 80 && xbm.bits == 80 && xbm.columnMaskBits == 80)
        // On chip: one slot per cell column.
        #expect(xbm.maskBufferBits == 80 * 2)
        // XMA, 5 levels: radix groups of 3 values in 7 bits (5³ = 125 ≤ 128): 26 groups + 2 values in ⌈2·log2 5⌉ = 5 bits.
        #expect(m.maskMemory(method: .xma(shiftLevels: 3)).bits == 26 * 7 + 5)
        let fixed = LayerMapping(layer: .conv("c", input: 8, 16, 40, kernel: 3), geometry: CrossbarGeometry(maskPacking: .fixedWidth))
        #expect(fixed.maskMemory(method: .xma(shiftLevels: 3)).bits == 80 * 3)
        // XMA2 re-programming PE 0 (the whole layer): PE bitmap 1 bit, new weights, no tier-2 columns left.
        let xma2 = m.maskMemory(method: .xma2(peFraction: 1, shiftLevels: 3), reprogrammedPEs: [0])
        #expect(xma2.peBitmapBits == 1 && xma2.weightBits == 5_760 * 4 && xma2.columnMaskBits == 0)
        #expect(xma2.bits == 1 + 5_760 * 4)
    }

    @Test(arguments: [(2, 1, 1), (3, 5, 8), (4, 1, 2), (5, 3, 7), (6, 5, 13), (8, 1, 3)])
    func radixGroups(levels: Int, values: Int, bits: Int) {
        let group = MaskPacking.radixGroup(levels: levels)
        #expect(group.values == values && group.bits == bits)
        // A group must hold every combination and nothing larger than needed.
        var combinations = 1
        for _ in 0..<values { combinations *= levels }
        #expect(combinations <= 1 << bits && combinations > 1 << (bits - 1))
    }

    @Test func xmaLevelsAreShiftsOfOne() {
        #expect(AdaptationMethod.xma(shiftLevels: 3).allowedColumnLevels == [0, 0.125, 0.25, 0.5, 1])
        #expect(AdaptationMethod.xbm.allowedColumnLevels == [0, 1])
        #expect(AdaptationMethod.xma(shiftLevels: 1).allowedColumnLevels == [0, 0.5, 1])
        #expect(MaskPacking.bitsFor(levels: 5) == 3 && MaskPacking.bitsFor(levels: 2) == 1)
    }

    @Test func methodParsing() throws {
        #expect(try AdaptationMethod.parse("XBM") == .xbm)
        #expect(try AdaptationMethod.parse("xma2", shiftLevels: 2, peFraction: 0.2) == .xma2(peFraction: 0.2, shiftLevels: 2))
        #expect(throws: CrossbarError.self) { try AdaptationMethod.parse("dropout") }
        #expect(throws: CrossbarError.self) { try AdaptationMethod.parse("xma2", peFraction: 1.5).validate(weightBits: 4) }
    }

    @Test func shiftLevelsAreBoundedByTheWeightBits() throws {
        #expect(AdaptationMethod.shiftLevelRange(weightBits: 4) == 0...3)
        #expect(AdaptationMethod.shiftLevelRange(weightBits: 8) == 0...7)
        try AdaptationMethod.xma(shiftLevels: 3).validate(weightBits: 4)
        try AdaptationMethod.xma(shiftLevels: 7).validate(weightBits: 8)
        #expect(throws: CrossbarError.invalidField(
            field: "shiftLevels", value: "4",
            expected: "an integer in 0...3 for 4-bit weights (a shift by more bits leaves nothing of the weight; XMA uses 3)")) {
            try AdaptationMethod.xma2(peFraction: 0.1, shiftLevels: 4).validate(weightBits: 4)
        }
        #expect(throws: CrossbarError.self) { try AdaptationMethod.xma(shiftLevels: -1).validate(weightBits: 4) }
    }

    @Test func xma2NeedsEnoughSparePEs() throws {
        var preset = HardwarePreset.xbm32nm
        preset.geometry.sparePEFraction = 0.05
        let model = HardwareModel(preset: preset)
        let net = try NetworkModel.resnet20.network(imageSize: 32)
        do {
            _ = try model.report(network: net, method: .xma2(peFraction: 0.2, shiftLevels: 3))
            Issue.record("accepted 20 % re-programmed PEs with 5 % spares")
        } catch {
            #expect("\(error)".contains("sparePEFraction"))
        }
        let ok = try model.report(network: net, method: .xma2(peFraction: 0.05, shiftLevels: 3))
        let mapping = try NetworkMapping(network: net, geometry: preset.geometry)
        #expect(ok.totals.reprogrammedPEs == Int((0.05 * Double(mapping.pes)).rounded()))
        #expect(ok.totals.reprogrammedPEs <= ok.totals.sparePEs)
    }
}
