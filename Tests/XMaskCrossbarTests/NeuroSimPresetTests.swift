import Testing
@testable import XMaskCrossbar
import XMaskExperiments

/// The neurosim-v1.5-22nm preset against DNN+NeuroSim V1.5's figures (issues 7 and 14).
struct NeuroSimPresetTests {
    let network: NetworkShape
    /// The runs' ResNet-18/CIFAR with xmask's layer names (the same layers as the CSV NeuroSim ran, NeuroSimValidationTests).
    init() throws { network = try NetworkModel.resnet18Cifar.network(imageSize: 32, classes: 100) }

    func report(_ c: NeuroSimReferenceCase, preset: HardwarePreset = .neuroSim22nm) throws -> HardwareReport {
        try HardwareModel(preset: c.applied(to: preset)).report(network: network, includeClassifier: true, method: .fineTune)
    }

    @Test(arguments: NeuroSimReferenceCase.all.map(\.name))
    func everyRowWithinTenPercent(name: String) throws {
        let c = NeuroSimReferenceCase.all.first { $0.name == name }!
        let r = try HardwareModel(preset: c.applied(to: .neuroSim22nm)).report(network: c.network.shape(), includeClassifier: true, method: .fineTune)
        #expect(abs(r.totals.inferenceEnergyMicrojoules / c.energyMicrojoules - 1) <= 0.10, "\(name): \(r.totals.inferenceEnergyMicrojoules) µJ")
        let k = r.energyMicrojoules.neuroSimCategories
        #expect(abs(k.adc / c.adcMicrojoules - 1) <= 0.10, "\(name) ADC \(k.adc)")
        #expect(abs(r.totals.areaSquareMillimeters / c.areaSquareMillimeters - 1) <= 0.10, "\(name) area \(r.totals.areaSquareMillimeters)")
    }

    @Test func shippedNumbersAreTheFit() throws {
        // The preset's constants are the calibration's output rounded to 4 digits.
        let shipped = HardwarePreset.neuroSim22nm.technology
        let fitted = try NeuroSimCalibration.fit(.neuroSim22nm).technology
        let pairs: [(String, Double, Double)] = [
            ("adc", shipped.adcEnergyPerConversionPicojoules, fitted.adcEnergyPerConversionPicojoules),
            ("wordLine", shipped.wordLineEnergyPerCellPicojoules, fitted.wordLineEnergyPerCellPicojoules),
            ("shiftAddInput", shipped.shiftAddInputEnergyPerConversionPicojoules, fitted.shiftAddInputEnergyPerConversionPicojoules),
            ("tree", shipped.adderTreeEnergyPer128UnitsPicojoules[0], fitted.adderTreeEnergyPer128UnitsPicojoules[0]),
            ("shiftAddWeight", shipped.shiftAddWeightEnergyPicojoules, fitted.shiftAddWeightEnergyPicojoules),
            ("adcPeriphery", shipped.adcPeripheryEnergyPerConversionPicojoules, fitted.adcPeripheryEnergyPerConversionPicojoules),
            ("arrayRead", shipped.arrayReadEnergyPerCellPicojoules, fitted.arrayReadEnergyPerCellPicojoules),
            ("buffer", shipped.globalBufferEnergyPerBitPicojoules, fitted.globalBufferEnergyPerBitPicojoules),
            ("interconnect", shipped.interconnectEnergyPerBitPicojoules, fitted.interconnectEnergyPerBitPicojoules),
            ("pipeline", shipped.pipelinedInterconnectFactor, fitted.pipelinedInterconnectFactor),
            ("cell", shipped.cellAreaSquareMicrometers, fitted.cellAreaSquareMicrometers),
            ("periphery", shipped.rowDriverAreaSquareMicrometers, fitted.rowDriverAreaSquareMicrometers),
            ("adcArea", shipped.adcAreaSquareMicrometers, fitted.adcAreaSquareMicrometers),
            ("bufferArea", shipped.globalBufferAreaPerBitSquareMicrometers, fitted.globalBufferAreaPerBitSquareMicrometers),
        ]
        for (name, a, b) in pairs { #expect(abs(a / b - 1) < 1e-3, "\(name): shipped \(a), fit \(b)") }
    }

    @Test func inputBitDensityOfRandomActivations() {
        // 4-bit values 1…15 hold 32 one-bits: mean 32/15 of 4 bits.
        #expect(abs(inputBitDensity(zeroFraction: 0.5, activationBits: 4) - 0.5 * 32.0 / 60.0) < 1e-12)
        #expect(inputBitDensity(zeroFraction: 1, activationBits: 4) == 0)
        #expect(abs(inputBitDensity(zeroFraction: 0, activationBits: 1) - 1) < 1e-12)
    }

    @Test func kernelSplitMapping() throws {
        // ResNet-18: 3×3 is the common kernel; convs with K ≥ 128 split into 9 · ⌈Cin/128⌉ row-chunks.
        let mapping = try NetworkMapping(network: network, geometry: HardwarePreset.neuroSim22nm.geometry, includeClassifier: true)
        let conv = mapping.layers.first { $0.layer.name == "layer1.0.conv1" }!
        #expect(conv.kernelSplit && conv.rowChunks == 9 && conv.rowsInChunk(4) == 64)
        let deep = mapping.layers.first { $0.layer.name == "layer4.1.conv2" }!
        #expect(deep.rowChunks == 9 * 4 && deep.columnChunks == 8)
        // The stem (K = 27 < 128), the 1×1 shortcuts and the classifier stay packed.
        #expect(!mapping.layers[0].kernelSplit && mapping.layers[0].rowChunks == 1)
        #expect(mapping.layers.filter(\.kernelSplit).count == 16)
        #expect(mapping.arrays == 1 + 4 * 9 + 18 + 2 + 3 * 18 + 36 + 4 + 3 * 72 + 144 + 16 + 3 * 288 + 8)
    }

    @Test func pipelineSpeedUpFollowsFeatureMapSize() throws {
        // IFM 32 first, smallest 3×3 input 4: degree min(8, 32/4) = 8, bound 4, speed-up (IFM/4)².
        let mapping = try NetworkMapping(network: network, geometry: HardwarePreset.neuroSim22nm.geometry, includeClassifier: true)
        let byName = Dictionary(uniqueKeysWithValues: zip(mapping.layers.map(\.layer.name), mapping.pipelineSpeedUps))
        #expect(byName["conv1"] == 64 && byName["layer2.1.conv1"] == 16 && byName["layer3.1.conv1"] == 4)
        #expect(byName["layer4.1.conv2"] == 1 && byName["fc"] == 1)
        var layerByLayer = HardwarePreset.neuroSim22nm.geometry
        layerByLayer.pipelineSpeedUp = 1
        #expect(try NetworkMapping(network: network, geometry: layerByLayer, includeClassifier: true).pipelineSpeedUps.allSatisfy { $0 == 1 })
    }

    @Test func floorplanCountsWholeTiles() throws {
        // Hand-worked: novel-mapped PEs of 512×512 (4×4 arrays, 9 per tile), conventional tiles
        // 1024×1024 (8×8 arrays). Layer by layer: 20 novel + 5 conventional tiles.
        var g = HardwarePreset.neuroSim22nm.geometry
        g.pipelineSpeedUp = 1
        let lbl = try NetworkMapping(network: network, geometry: g, includeClassifier: true).floorplan
        #expect(lbl.novelPESize == 512 && lbl.conventionalTileSize == 1024)
        #expect(lbl.novelTiles == 20 && lbl.conventionalTiles == 5)
        #expect(lbl.arraySlots == 20 * 9 * 16 + 5 * 64)
        // Pipelined: stage-1 convs (64→64) fit 16 times in a PE, need ⌈64/16⌉ = 4 tiles each, …
        let pipe = try NetworkMapping(network: network, geometry: HardwarePreset.neuroSim22nm.geometry, includeClassifier: true).floorplan
        #expect(pipe.novelTiles == 4 * 4 + 8 + 3 * 2 + 4 + 3 * 2 + 4 + 3 * 2)
        #expect(pipe.conventionalTiles == 1 + 2 + 1 + 1 + 1)
    }

    @Test func zeroActivationsOnlyChangeWordLines() throws {
        let dense = try report(NeuroSimReferenceCase.all[6]), sparse = try report(NeuroSimReferenceCase.all[7])
        #expect(dense.energyMicrojoules.adc == sparse.energyMicrojoules.adc)
        #expect(abs(dense.energyMicrojoules.wordLine / sparse.energyMicrojoules.wordLine - 0.8 / 0.2) < 1e-9)
    }
}
