import Testing
@testable import XMaskCrossbar

struct CrossbarGeometryTests {
    @Test func defaultIsXBMTable2() {
        let g = HardwarePreset.xbm32nm.geometry
        #expect(g.arrayRows == 72 && g.arrayColumns == 72 && g.cellBits == 2 && g.weightBits == 4)
        #expect(g.activationBits == 4 && g.adcBits == 5 && g.columnsPerADC == 1)
        #expect(g.cellsPerWeight == 2 && g.weightColumnsPerArray == 36 && g.cellLevels == 4)
    }

    @Test func geometryThatCannotHoldAWeightIsRefused() {
        // 8-bit weights on 1-bit cells need 8 columns; a 4-column array cannot hold one.
        let g = CrossbarGeometry(arrayColumns: 4, cellBits: 1, weightBits: 8)
        #expect(throws: CrossbarError.self) { try g.validate() }
        do { try g.validate() } catch {
            let message = "\(error)"
            #expect(message.contains("arrayColumns"))
            #expect(message.contains("8 cell columns"))
        }
    }

    @Test(arguments: [
        ("arrayRows", CrossbarGeometry(arrayRows: -72)),
        ("arrayColumns", CrossbarGeometry(arrayColumns: 0)),
        ("cellBits", CrossbarGeometry(cellBits: 0)),
        ("adcBits", CrossbarGeometry(adcBits: -5)),
        ("sparePEFraction", CrossbarGeometry(sparePEFraction: 1.5)),
    ])
    func negativeOrZeroFieldsNameTheField(field: String, geometry: CrossbarGeometry) {
        do {
            try geometry.validate()
            Issue.record("\(field): accepted")
        } catch {
            #expect("\(error)".hasPrefix(field))
        }
    }

    @Test func presetDerivationsReproduceTable2() {
        // Per-event energies times the events of one full activation give back Table II's 17.2 pJ.
        let t = HardwarePreset.xbm32nm.technology
        let reads = 4.0, rows = 72.0, columns = 72.0, weightColumns = 36.0
        let perActivation = reads * rows * t.rowDriveEnergyPicojoules + reads * columns * t.columnDriveEnergyPicojoules
            + reads * columns * (t.adcEnergyPerConversionPicojoules + t.shiftAddInputEnergyPerConversionPicojoules)
            + reads * weightColumns * 1 * t.shiftAddWeightEnergyPicojoules  // one join of 2 cell columns per weight
        #expect(abs(perActivation - 17.2) < 1e-9)
        let area = rows * columns * t.cellAreaSquareMicrometers + rows * t.rowDriverAreaSquareMicrometers
            + columns * (t.adcAreaSquareMicrometers + t.shiftAddInputAreaSquareMicrometers + t.maskBufferAreaPerBitSquareMicrometers)
            + weightColumns * t.shiftAddWeightAreaSquareMicrometers
        // Table II lists 11,380.2 µm²; its rows add up to 11,380.63.
        #expect(abs(area - 11_380.63) < 0.01)
    }

    @Test func presetLookup() throws {
        #expect(try HardwarePreset.named("xbm-32nm") == .xbm32nm)
        #expect(throws: CrossbarError.self) { try HardwarePreset.named("nope") }
        for preset in HardwarePreset.all { try preset.validate() }
    }

    @Test func adcScalingLaws() {
        #expect(ADCKind.sar.energyScale(bits: 6, referenceBits: 5) == 1.2)
        #expect(ADCKind.sar.areaScale(bits: 6, referenceBits: 5) == 2)
        #expect(ADCKind.multilevelSenseAmp.energyScale(bits: 4, referenceBits: 5) == 15.0 / 31.0)
    }
}
