import Testing
@testable import XMaskCrossbar

/// Inference energy of hand-worked layers, written as the arithmetic of XBM Table II.
struct InferenceEnergyTests {
    let model = HardwareModel()
    var t: TechnologyParameters { model.preset.technology }

    func report(_ layers: [ConvLayerShape], method: AdaptationMethod = .fineTune,
                activity: TaskActivity = .uniform(columnSparsity: 0, weightSparsity: 0)) throws -> HardwareReport {
        try model.report(network: NetworkShape(name: "test", layers: layers), method: method, activity: activity)
    }

    @Test func fullArraySpendsTable2EnergyPerInputVector() throws {
        // K = 72, 36 weight columns: one full array; 4×4 output positions, each one Table II activation.
        let r = try report([.conv("c", input: 4, 8, 36, kernel: 3)])
        let positions = 16.0
        #expect(abs(r.energyMicrojoules.array * 1e6 - positions * 17.2) < 1e-9)
        // Single row-chunk: no adder tree. ReLU 0.9 pJ / 128 per output; buffer 0.003 pJ per bit in and out.
        #expect(r.energyMicrojoules.adderTree == 0)
        #expect(abs(r.energyMicrojoules.relu * 1e6 - positions * 36 * 0.9 / 128) < 1e-12)
        #expect(abs(r.energyMicrojoules.globalBuffer * 1e6 - positions * (72 + 36) * 4 * 0.003) < 1e-12)
        #expect(r.energyMicrojoules.maskBuffer == 0)
    }

    @Test func splitLayerCountsRowsColumnsAndAdds() throws {
        // K = 144 (2 row-chunks), Cout = 40 (2 column-chunks, the second holding 4 weight columns).
        let r = try report([.conv("c", input: 8, 16, 40, kernel: 3)])
        let p = 64.0, reads = 4.0
        let conversions = p * reads * (2 * 40) * 2        // (row-chunk, cout) columns × 2 cells
        let rowsDriven = p * reads * 144 * 2              // every row of K in both column-chunks
        let columnsDriven = p * reads * (2 * 40) * 2      // SL drivers of the used cell columns
        let e = r.energyMicrojoules
        #expect(abs(e.adc * 1e6 - conversions * t.adcEnergyPerConversionPicojoules) < 1e-9)
        #expect(abs(e.shiftAddInput * 1e6 - conversions * t.shiftAddInputEnergyPerConversionPicojoules) < 1e-9)
        #expect(abs(e.shiftAddWeight * 1e6 - p * 80 * 1.0 / 36) < 1e-9)
        // Switch matrix: half of Table II's 1.1 pJ per 72 WL rows, half per 72 SL columns.
        #expect(abs(e.rowDrive * 1e6 - (rowsDriven * 0.55 / (72 * 4) + columnsDriven * 0.55 / (72 * 4))) < 1e-9)
        // Two row-chunks: one addition per output, on a 1-stage 128-unit tree (4.4 pJ per 128 adds).
        #expect(abs(e.adderTree * 1e6 - p * 40 * 4.4 / 128) < 1e-9)
    }

    @Test func pointwiseConvDrivesOnlyItsRows() throws {
        let r = try report([.conv("c", input: 2, 64, 36, kernel: 1)])
        #expect(abs(r.energyMicrojoules.rowDrive * 1e6 - 4 * 4 * (64 + 72) * 0.55 / 288) < 1e-12)
        #expect(abs(r.energyMicrojoules.adc * 1e6 - 4 * 4 * 36 * 2 * 8.3 / 288) < 1e-12)
    }

    @Test func deepTreeUsesThreeStageEnergyPerAddition() throws {
        // K = 64·3·3 = 576 → 8 row-chunks: 3 stages, 7 additions per output at 32.6 / (7·128) pJ each.
        let r = try report([.conv("c", input: 1, 64, 36, kernel: 3)])
        #expect(abs(r.energyMicrojoules.adderTree * 1e6 - 36 * 7 * 32.6 / (7 * 128)) < 1e-12)
        // K = 16 chunks: beyond the table, 15 additions at the 3-stage energy per addition.
        let deeper = try report([.conv("c", input: 1, 128, 36, kernel: 3)])
        #expect(abs(deeper.energyMicrojoules.adderTree * 1e6 - 36 * 15 * 32.6 / (7 * 128)) < 1e-12)
    }

    @Test func maskThatGatesKColumnsSavesTheirADCAndShiftAdds() throws {
        // One full array (36 mask columns); gate k = 9 of them with a real XBM mask.
        let layer = ConvLayerShape.conv("c", input: 4, 8, 36, kernel: 3)
        let k = 9
        var levels = [Float](repeating: 1, count: 36)
        for i in stride(from: 0, to: 36, by: 4) { levels[i] = 0 }
        #expect(levels.filter { $0 == 0 }.count == k)
        let masks = TaskMasks(method: .xbm, arrayRows: 72, layers: [TaskLayerMask(name: "c", columnMask: LayerColumnMask(rowChunks: 1, outputChannels: 36, levels: levels))])
        let gated = try report([layer], method: .xbm, activity: .masks(masks, file: "t.json"))
        let open = try report([layer], method: .xbm)
        let p = 16.0, reads = 4.0
        let saved = p * (reads * Double(k) * 2 * (t.adcEnergyPerConversionPicojoules + t.shiftAddInputEnergyPerConversionPicojoules)
                         + reads * Double(k) * 1 * t.shiftAddWeightEnergyPicojoules)
        // …and the SL drivers of its 2k cell columns (XBM §III-C): 0.55 pJ per 72 columns per read.
        let savedDrivers = p * reads * Double(k) * 2 * 0.55 / (72 * 4)
        #expect(abs((open.totals.inferenceEnergyMicrojoules - gated.totals.inferenceEnergyMicrojoules) * 1e6 - saved - savedDrivers) < 1e-9)
        #expect(abs((open.energyMicrojoules.rowDrive - gated.energyMicrojoules.rowDrive) * 1e6 - savedDrivers) < 1e-12)
        // Nothing else changes: WL drivers, mask-buffer reads, tree, ReLU, buffer.
        #expect(gated.energyMicrojoules.maskBuffer == open.energyMicrojoules.maskBuffer)
        #expect(abs(gated.energyMicrojoules.maskBuffer * 1e6 - p * 36 * 2 * 1 * 0.003) < 1e-12)
        #expect(abs(gated.layers[0].activeColumnFraction - 27.0 / 36.0) < 1e-12)
    }

    @Test func shiftedColumnCostsAsMuchAsAnActiveOne() throws {
        let layer = ConvLayerShape.conv("c", input: 4, 8, 36, kernel: 3)
        func energy(_ level: Float) throws -> Double {
            let masks = TaskMasks(method: .xma(shiftLevels: 3), arrayRows: 72, layers: [
                TaskLayerMask(columnMask: LayerColumnMask(rowChunks: 1, outputChannels: 36, levels: [level] + Array(repeating: 1, count: 35)))])
            return try report([layer], method: .xma(shiftLevels: 3), activity: .masks(masks, file: "t.json")).totals.inferenceEnergyMicrojoules
        }
        #expect(try energy(0.125) == energy(1))
        #expect(try energy(0) < energy(0.5))
    }

    @Test func uniformSparsityScalesGatedComponents() throws {
        let layers = [ConvLayerShape.conv("a", input: 8, 16, 40, kernel: 3), .conv("b", input: 4, 64, 64, kernel: 1)]
        let open = try report(layers, method: .xbm)
        let sparse = try report(layers, method: .xbm, activity: .uniform(columnSparsity: 0.3, weightSparsity: 0))
        let gatedOpen = open.energyMicrojoules.adc + open.energyMicrojoules.shiftAddInput + open.energyMicrojoules.shiftAddWeight
        let gatedSparse = sparse.energyMicrojoules.adc + sparse.energyMicrojoules.shiftAddInput + sparse.energyMicrojoules.shiftAddWeight
        #expect(abs(gatedSparse - 0.7 * gatedOpen) < 1e-12)
        // The switch matrix keeps its WL half and 70 % of its SL half.
        let rows = (64.0 * 4 * 144 * 2 + 16 * 4 * 64 * 2) * 0.55 / 288 * 1e-6  // both layers span 2 column-chunks
        #expect(abs(sparse.energyMicrojoules.rowDrive - (rows + 0.7 * (open.energyMicrojoules.rowDrive - rows))) < 1e-12)
    }

    @Test func realMaskWithSameSparsityMatchesUniformModel() throws {
        // K a multiple of 72, so every column has 72 rows: a mask with exactly 25 % zeros per layer
        // must give the same energy as the analytic 25 % column sparsity.
        let layer = ConvLayerShape.conv("c", input: 4, 16, 40, kernel: 3)
        let mapping = LayerMapping(layer: layer, geometry: model.preset.geometry)
        let levels = (0..<mapping.maskColumns).map { Float($0 % 4 == 0 ? 0 : 1) }
        let masks = TaskMasks(method: .xbm, arrayRows: 72, layers: [TaskLayerMask(columnMask: LayerColumnMask(rowChunks: 2, outputChannels: 40, levels: levels))])
        let real = try report([layer], method: .xbm, activity: .masks(masks, file: "t.json"))
        let uniform = try report([layer], method: .xbm, activity: .uniform(columnSparsity: 0.25, weightSparsity: 0))
        #expect(abs(real.totals.inferenceEnergyMicrojoules - uniform.totals.inferenceEnergyMicrojoules) < 1e-12)
    }

    @Test func adcEnergyFollowsResolution() throws {
        var preset = HardwarePreset.xbm32nm
        preset.geometry.adcBits = 8
        let eight = try HardwareModel(preset: preset).report(network: NetworkShape(name: "t", layers: [.conv("c", input: 4, 8, 36, kernel: 3)]), method: .fineTune)
        let five = try report([.conv("c", input: 4, 8, 36, kernel: 3)])
        #expect(abs(eight.energyMicrojoules.adc / five.energyMicrojoules.adc - 8.0 / 5.0) < 1e-12)
    }
}
