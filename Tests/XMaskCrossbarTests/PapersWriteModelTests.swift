import Foundation
import Testing
@testable import XMaskCrossbar
import XMaskExperiments

/// The `papers` write model: XMA2 Fig. 5's ratios on ResNet-50, hand-worked scaling, the M series (issue 14).
struct PapersWriteModelTests {
    /// `xmask hw --model resnet50 --image-size 224 --method all --write-model papers` with the model's defaults.
    func figure5Reports() throws -> [String: HardwareReport] {
        var preset = HardwarePreset.xbm32nm
        preset.technology.writeModel = .papers
        let kind = preset.technology.writeModel
        let shape = try NetworkModel.resnet50.network(imageSize: 224)
        let activity = TaskActivity.uniform(columnSparsity: 0, weightSparsity: kind.defaultWeightSparsity ?? 0)
        var out: [String: HardwareReport] = [:]
        for method in AdaptationMethod.all() {
            out[method.name] = try HardwareModel(preset: preset).report(network: shape, method: method, activity: activity,
                                                                      inferences: kind.defaultInferences)
        }
        return out
    }

    @Test func resnet50ReproducesXMA2Figure5() throws {
        let r = try figure5Reports()
        let ft = try #require(r["finetune"]), pb = try #require(r["piggyback"]), xma2 = try #require(r["xma2"])
        #expect(ft.totals.inferences == 4_000 && pb.weightSparsity == 0.30)
        func total(_ x: HardwareReport) -> Double {
            Double(x.totals.inferences) * x.totals.inferenceEnergyMicrojoules + x.totals.reprogrammingEnergyMicrojoules
        }
        // XBM Fig. 6: "over 20×"; XMA2 Fig. 5: Piggyback "up to 8.16×", XMA2 13.72× below FT and 4.38× below Piggyback.
        #expect(ft.totals.totalOverInferenceEnergy >= 20, "FT \(ft.totals.totalOverInferenceEnergy)")
        #expect(abs(pb.totals.totalOverInferenceEnergy / 8.16 - 1) <= 0.15, "PB \(pb.totals.totalOverInferenceEnergy)")
        #expect(abs(total(ft) / total(xma2) / 13.72 - 1) <= 0.15, "FT/XMA2 \(total(ft) / total(xma2))")
        #expect(abs(total(pb) / total(xma2) / 4.38 - 1) <= 0.15, "PB/XMA2 \(total(pb) / total(xma2))")
        // XBM and XMA re-program nothing under either model.
        #expect(r["xbm"]!.writeModels.allSatisfy { $0.reprogrammingEnergyMicrojoules == 0 })
        // The report carries both models; the NeuroSim one is about 10³ times smaller.
        let neuroSim = try #require(ft.writeModels.first { $0.writeModel == .neurosim })
        #expect(ft.writeModel == .papers && ft.totals.reprogrammingEnergyMicrojoules / neuroSim.reprogrammingEnergyMicrojoules > 100)
    }

    @Test func shippedNumbersAreTheDerivation() throws {
        let derived = try PapersWriteCalibration.derive(network: PapersWriteCalibration.network.network(imageSize: PapersWriteCalibration.imageSize))
        for preset in [HardwarePreset.xbm32nm, .neuroSim22nm] {
            let t = preset.technology
            #expect(abs(t.papersCellFullRangeWriteEnergyNanojoules / derived.cellFullRangeNanojoules - 1) < 1e-3, "\(preset.name) cell")
            #expect(abs(t.papersPEWriteEnergyPerCellNanojoules / derived.peCellNanojoules - 1) < 1e-3, "\(preset.name) PE")
        }
        // The figures' own arithmetic: 8.16 · 13.72 / 4.38.
        #expect(abs(PapersWriteCalibration.fineTuneTotalOverInference - 25.5609) < 1e-3)
    }

    @Test func papersTableIsNeuroSimsShapeScaledToTheFullRangeWrite() {
        // 4 levels, 3 pulses full range (1 per level step), 1 V, 1 ns, no wire: E(a→b) = |b−a| · (G_a + G_b)/2 · 1e-9 J.
        // G_off = 1e-4 S, G_on = 1e-3 S, step 3e-4 S: E(0→3) = 3 · 5.5e-4 · 1e-9, E(0→1) = 1 · 2.5e-4 · 1e-9.
        var t = HardwarePreset.xbm32nm.technology
        t.writeVoltageVolts = 1; t.writePulseWidthNanoseconds = 1; t.writePulsesFullRange = 3
        t.onResistanceOhms = 1e3; t.offResistanceOhms = 1e4; t.bitLineCapacitancePerRowFemtofarads = 0
        t.papersCellFullRangeWriteEnergyNanojoules = 10; t.papersPEWriteEnergyPerCellNanojoules = 0.5
        let g = HardwarePreset.xbm32nm.geometry
        let physical = WriteModel(technology: t, geometry: g)
        let fullRange: Double = 3 * 5.5e-4 * 1e-9 * 1e12  // pJ
        #expect(abs(physical.energyPicojoules[0][3] - fullRange) < 1e-9)
        let papers = WriteModel(technology: t, geometry: g, kind: .papers)
        #expect(abs(papers.energyPicojoules[0][3] - 10_000) < 1e-9)
        let oneStep: Double = 10_000 * 2.5 / 16.5
        #expect(abs(papers.energyPicojoules[0][1] - oneStep) < 1e-9)
        // FineTune/Piggyback price transitions: 2 cells 0→3 and 1 cell 0→1.
        var moves = CellTransitions(levels: 4)
        moves.counts[0][3] = 2; moves.counts[0][1] = 1
        let expected: Double = 2 * 10_000 + oneStep
        #expect(abs(papers.energyPicojoules(moves, reprogrammedPECells: 0, method: .piggyback) - expected) < 1e-9)
        // XMA2 prices its PEs: 2 PEs of 2×2 arrays of 72×72 cells at 0.5 nJ per cell, whatever the transitions.
        let cells = 2 * 4 * 72 * 72
        let peEnergy: Double = Double(cells) * 500
        #expect(abs(papers.energyPicojoules(moves, reprogrammedPECells: cells, method: .xma2(peFraction: 0.1, shiftLevels: 3)) - peEnergy) < 1e-6)
        #expect(physical.energyPicojoules(moves, reprogrammedPECells: cells, method: .xma2(peFraction: 0.1, shiftLevels: 3)) == physical.energyPicojoules(moves))
    }

    @Test func totalOverInferenceSeries() {
        // 2 µJ per inference, 18 µJ to re-program: (3·2 + 18)/(3·2) = 4 at M = 3; 10 at M = 1, 1.9 at M = 10.
        let e = WriteModelEstimate(writeModel: .papers, inferenceMicrojoules: 2, reprogrammingMicrojoules: 18, inferences: 3)
        #expect(abs(e.totalOverInferenceEnergy - 4) < 1e-12)
        #expect(e.totalOverInferenceEnergyByM.map(\.inferences) == [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000])
        #expect(abs(e.totalOverInferenceEnergyByM[0].totalOverInferenceEnergy - 10) < 1e-12)
        #expect(abs(e.totalOverInferenceEnergyByM[1].totalOverInferenceEnergy - 1.9) < 1e-12)
        let atMillion: Double = 1 + 9e-6
        #expect(abs(e.totalOverInferenceEnergyByM[6].totalOverInferenceEnergy - atMillion) < 1e-15)
    }

    @Test func writeModelIsAConfigFieldAndOldPresetsStillDecode() throws {
        let config = try HardwareConfig.parseJSON(#"{"writeModel": "papers"}"#, file: "c.json")
        #expect(try config.apply(to: .xbm32nm).technology.writeModel == .papers)
        // A preset stored before issue 14 has no writeModel/columnDrive/papers keys: defaults apply.
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(HardwarePreset.xbm32nm.technology)) as! [String: Any]
        for key in ["writeModel", "columnDriveEnergyPicojoules", "papersCellFullRangeWriteEnergyNanojoules", "papersPEWriteEnergyPerCellNanojoules"] {
            json.removeValue(forKey: key)
        }
        let old = try JSONDecoder().decode(TechnologyParameters.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.writeModel == .neurosim && old.columnDriveEnergyPicojoules == 0 && old.papersCellFullRangeWriteEnergyNanojoules == 0)
    }
}
