import Foundation
import Testing
import XMaskNN
import XMaskTensor

/// ResNet-20 (option A) against PyTorch: logits, loss, gradients and running statistics from
/// `Scripts/golden/make_nn_golden.py`, for 3×32×32 and 1×28×28 inputs (float) and 3×4×4 and
/// 1×4×4 inputs chosen away from every rounding edge (4-bit QAT; see the script for why).
@Suite struct ResNetGoldenTests {
    struct Variant: CustomTestStringConvertible, Sendable {
        let name: String
        let inChannels: Int
        let quantized: Bool
        var prefix: String { (quantized ? "q" : "") + name }
        var testDescription: String { prefix }
    }

    static let variants = [
        Variant(name: "rgb32", inChannels: 3, quantized: false),
        Variant(name: "gray28", inChannels: 1, quantized: false),
        Variant(name: "rgb32", inChannels: 3, quantized: true),
        Variant(name: "gray28", inChannels: 1, quantized: true),
    ]

    /// The golden model for `variant`, and the file.
    func model(_ variant: Variant) throws -> (ResNet, Safetensors) {
        let file = try Golden.resnet20()
        var rng = SeededGenerator(seed: 99)
        let model = ResNet.resnet20(inChannels: variant.inChannels, using: &rng)
        var state: [String: Tensor] = [:]
        for key in file.keys where key.hasPrefix("state.") { state[String(key.dropFirst(6))] = try file.tensor(key) }
        if variant.inChannels == 1 { state["conv1.weight"] = try file.tensor("gray28.conv1.weight") }
        if variant.quantized {
            try model.quantize(QuantizationConfig(weightBits: 4, activationBits: 4, firstLayerBits: 8, lastLayerBits: 8))
            for key in file.keys where key.hasPrefix("alpha.") { state[String(key.dropFirst(6))] = try file.tensor(key) }
        }
        try model.load(stateDict: state)
        return (model, file)
    }

    @Test(arguments: variants, [false, true])
    func logitsLossAndGradientsMatchPyTorch(_ variant: Variant, training: Bool) throws {
        let (model, file) = try model(variant)
        let mode = training ? "train" : "eval"
        let p = variant.prefix
        model.setTraining(training)
        let x = try file.tensor("\(p).input")
        let labels = try file.tensor("\(p).labels").scalars.map { Int($0) }
        let named = Dictionary(model.namedParameters().map { ($0.key, $0.parameter) }, uniquingKeysWith: { a, _ in a })
        let gradKeys = file.keys.filter { $0.hasPrefix("\(p).\(mode).grad.") }
        #expect(gradKeys.count >= 7)
        let parameters = try gradKeys.map { key in
            try #require(named[String(key.dropFirst("\(p).\(mode).grad.".count))], "no parameter for \(key)")
        }
        var logits = Tensor(0)
        let (loss, grads) = valueAndGradient(of: model, parameters: parameters) {
            logits = model(x)
            return crossEntropy(logits: logits, labels: labels, labelSmoothing: 0.1)
        }
        expectClose(logits.detached(), try file.tensor("\(p).\(mode).logits"), rtol: 2e-4, "\(p) \(mode) logits")
        expectClose(loss, try file.tensor("\(p).\(mode).loss"), rtol: 2e-4, "\(p) \(mode) loss")
        for (key, g) in zip(gradKeys, grads) {
            expectClose(g, try file.tensor(key), rtol: 1e-3, atol: 1e-6, key)
        }
        if training && !variant.quantized {
            // One training forward moved every running statistic as PyTorch's did.
            for key in file.keys where key.hasPrefix("\(p).train.after.") {
                let ours = try #require(model.stateDict()[String(key.dropFirst("\(p).train.after.".count))])
                expectClose(ours, try file.tensor(key), rtol: 1e-5, atol: 1e-6, key)
            }
        }
    }
}
