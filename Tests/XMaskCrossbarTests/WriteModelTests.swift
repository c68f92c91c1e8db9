import Testing
@testable import XMaskCrossbar
import XMaskExperiments

struct WriteModelTests {
    @Test func energyOfOneCellIsPulsesTimesPulseEnergy() {
        let t = HardwarePreset.xbm32nm.technology, g = CrossbarGeometry()
        let w = WriteModel(technology: t, geometry: g)
        // 0 → 3 on a 2-bit cell: the full range, 32 pulses of 4 V, 50 ns, mean of G_off = 1 µS and
        // G_on = 10 µS, plus 72 rows of bit-line capacitance.
        let pulse = 16.0 * ((1e-6 + 1e-5) / 2 * 50e-9 + 72 * 0.0256e-15)
        #expect(abs(w.energyPicojoules[0][3] - 32 * pulse * 1e12) < 1e-9)
        // 1 → 2: a third of the pulses, between G(1) = 4 µS and G(2) = 7 µS.
        let pulse12 = 16.0 * ((4e-6 + 7e-6) / 2 * 50e-9 + 72 * 0.0256e-15)
        #expect(abs(w.energyPicojoules[1][2] - 32.0 / 3 * pulse12 * 1e12) < 1e-9)
        #expect(w.energyPicojoules[2][2] == 0)
        #expect(w.energyPicojoules[3][0] == w.energyPicojoules[0][3])
    }

    @Test func rewritesOfOneFourBitWeightOnTwoBitCells() {
        // Piggyback: weight → 0, offset-binary code 8 = cell digits (0, 2); from a uniform code each
        // digit is uniform, so each cell changes with probability 3/4.
        let zero = WeightRewrite.zero.transitionsPerWeight(weightBits: 4, cellBits: 2)
        #expect(abs(zero.changedCells - 1.5) < 1e-12)
        #expect(abs(zero.counts[3][0] - 0.25) < 1e-12 && abs(zero.counts[3][2] - 0.25) < 1e-12)
        #expect(zero.counts[0][1] == 0)
        // FineTune: independent uniform codes, each cell changes with probability 3/4.
        let retrain = WeightRewrite.retrain.transitionsPerWeight(weightBits: 4, cellBits: 2)
        #expect(abs(retrain.changedCells - 1.5) < 1e-12)
        #expect(abs(retrain.counts[1][3] - 2.0 / 16) < 1e-12)
        // XMA2 spare PE: from erased (level 0) to a uniform code.
        let spare = WeightRewrite.programErased.transitionsPerWeight(weightBits: 4, cellBits: 2)
        #expect(abs(spare.changedCells - 1.5) < 1e-12)
        #expect(abs(spare.counts[0][0] - 0.5) < 1e-12)
        // 3-bit weights on 2-bit cells: the top cell holds one bit (levels 0, 1 only).
        let odd = WeightRewrite.retrain.transitionsPerWeight(weightBits: 3, cellBits: 2)
        #expect(abs(odd.counts.flatMap { $0 }.reduce(0, +) - 2) < 1e-12)
        // Only the low cell reaches level 3 (probability 1/4); level 0: low 1/4 + top 1/2.
        #expect(abs(odd.counts.map { $0[3] }.reduce(0, +) - 0.25) < 1e-12)
        #expect(abs(odd.counts.map { $0[0] }.reduce(0, +) - 0.75) < 1e-12)
    }

    @Test func ksmScalingOnTwoBitWeights() {
        // One 2-bit cell per weight, codes 0...3, zero = code 2, x = code − 2 ∈ {−2, −1, 0, 1}.
        // Scaled by c ∈ (0, 1/2): x = −2 → round(−2c) = −1 for c > 1/4 (half the samples), else 0;
        // x = −1, 0, 1 → 0. So code 0 goes half to 1, half to 2; codes 1, 2, 3 go to 2.
        let t = WeightRewrite.scale(maxScale: 0.5).transitionsPerWeight(weightBits: 2, cellBits: 2)
        #expect(abs(t.counts[0][1] - 0.125) < 1e-12 && abs(t.counts[0][2] - 0.125) < 1e-12)
        #expect(abs(t.counts[1][2] - 0.25) < 1e-12 && abs(t.counts[2][2] - 0.25) < 1e-12 && abs(t.counts[3][2] - 0.25) < 1e-12)
        #expect(abs(t.changedCells - 0.75) < 1e-12)
    }

    @Test func reprogrammingPerMethodOnOneLayer() throws {
        let layer = ConvLayerShape.conv("c", input: 4, 8, 36, kernel: 3)  // 2,592 weights
        let model = HardwareModel()
        let net = NetworkShape(name: "t", layers: [layer])
        let w = WriteModel(technology: model.preset.technology, geometry: model.preset.geometry)
        let fineTune = try model.report(network: net, method: .fineTune)
        let perWeight = WeightRewrite.retrain.transitionsPerWeight(weightBits: 4, cellBits: 2)
        #expect(fineTune.totals.reprogrammedCells == Int((2_592 * 1.5).rounded()))
        #expect(abs(fineTune.totals.reprogrammingEnergyMicrojoules - w.energyPicojoules(perWeight.scaled(by: 2_592)) * 1e-6) < 1e-9)
        let piggyback = try model.report(network: net, method: .piggyback, activity: .uniform(columnSparsity: 0, weightSparsity: 0.5))
        #expect(piggyback.totals.reprogrammedCells == Int((1_296 * 1.5).rounded()))
        for method in [AdaptationMethod.xbm, .xma(shiftLevels: 3)] {
            let r = try model.report(network: net, method: method, activity: .uniform(columnSparsity: 0.5, weightSparsity: 0.5))
            #expect(r.totals.reprogrammedCells == 0 && r.totals.reprogrammingEnergyMicrojoules == 0)
            #expect(r.totals.totalOverInferenceEnergy == 1)
        }
    }

    @Test func totalOverInferenceFollowsM() throws {
        let net = try NetworkModel.resnet20.network(imageSize: 32)
        let model = HardwareModel()
        let one = try model.report(network: net, method: .fineTune, inferences: 1)
        let many = try model.report(network: net, method: .fineTune, inferences: 1_000)
        let ratio = one.totals.reprogrammingEnergyMicrojoules / one.totals.inferenceEnergyMicrojoules
        #expect(abs(one.totals.totalOverInferenceEnergy - (1 + ratio)) < 1e-9)
        #expect(abs(many.totals.totalOverInferenceEnergy - (1 + ratio / 1_000)) < 1e-9)
    }
}
