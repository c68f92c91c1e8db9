import Foundation
import Testing
import XMaskNN
import XMaskTensor

@Suite struct TrainingTests {
    struct Failure: Error {}

    @Test func valueAndGradientRestoresPlainValues() throws {
        var rng = SeededGenerator(seed: 41)
        let fc = Linear(3, 2, using: &rng)
        let before = fc.weight.value.scalars
        let x = Tensor.normal([4, 3], using: &rng)
        let (loss, grads) = valueAndGradient(of: fc, parameters: [fc.weight, fc.bias!]) { fc(x).sum() }
        #expect(!fc.weight.value.isTracked && !fc.bias!.value.isTracked)
        #expect(fc.weight.value.scalars == before)
        #expect(grads.map(\.shape) == [[2, 3], [2]])
        #expect(grads[1].scalars == [4, 4])  // ∂Σy/∂b = batch size
        #expect(abs(loss.item - fc(x).sum().item) < 1e-5)
        #expect(throws: Failure.self) {
            _ = try valueAndGradient(of: fc, parameters: [fc.weight]) { () throws -> Tensor in throw Failure() }
        }
        #expect(!fc.weight.value.isTracked && fc.weight.value.scalars == before)
    }

    @Test func parametersOutsideTheModelAndUnusedOnes() {
        // A mask held by a weight transform, not by the model, is differentiated too.
        let conv = Conv2d(weight: Tensor.ones([1, 1, 1, 1]))
        let mask = Parameter(Tensor(3))
        conv.weightTransform = { w in w * mask.value }
        let unused = Parameter(Tensor([1, 2]))
        let x = Tensor(shape: [1, 1, 1, 2], scalars: [2, 5])
        let (_, g) = valueAndGradient(of: conv, parameters: [mask, conv.weight, unused]) { conv(x).sum() }
        #expect(g[0].item == 7)       // Σx · w
        #expect(g[1].scalars == [21])  // Σx · mask
        #expect(g[2].scalars == [0, 0])
    }

    /// Small deterministic problem: `classes` random 8×8 images, one per label, repeated.
    func tinyBatch(channels: Int, using rng: inout some RandomNumberGenerator) -> (Tensor, [Int]) {
        (Tensor.normal([8, channels, 8, 8], using: &rng), (0..<8).map { $0 % 4 })
    }

    @Test(arguments: [false, true])
    func tinyResNetOverfitsTinyBatch(quantized: Bool) throws {
        var rng = SeededGenerator(seed: 42)
        let model = ResNet.cifar(depth: 8, inChannels: 1, numClasses: 4, using: &rng)
        if quantized { try model.quantize(QuantizationConfig(initialAlpha: 3)) }
        let (x, labels) = tinyBatch(channels: 1, using: &rng)
        let sgd = SGD(learningRate: 0.05, momentum: 0.9)
        var losses: [Float] = []
        for _ in 0..<25 {
            let (loss, params, grads) = valueAndGradient(of: model) { crossEntropy(logits: model(x), labels: labels) }
            sgd.step(parameters: params, gradients: grads)
            losses.append(loss.item)
        }
        #expect(losses.last! < 0.3 * losses.first!, "losses \(losses)")
        model.setTraining(false)
        #expect(accuracy(logits: model(x), labels: labels) == 1)
    }

    @Test func accuracyHelpers() {
        let logits = Tensor(shape: [3, 3], scalars: [1, 2, 0, 5, 5, 1, 0, 0, 9])
        #expect(correctCount(logits: logits, labels: [1, 0, 1]) == 2)  // ties go to the first
        #expect(abs(accuracy(logits: logits, labels: [1, 1, 2]) - 2.0 / 3) < 1e-7)
    }

    final class Results: @unchecked Sendable {
        let lock = NSLock()
        var values: [Int: [Float]] = [:]
        func set(_ i: Int, _ v: [Float]) { lock.lock(); values[i] = v; lock.unlock() }
    }

    /// Two steps of SGD on its own model and data, on one kernel thread (the weight gradient's
    /// batch split makes the last bits depend on the thread count); returns the head weight.
    static func trainIndependently(seed: UInt64) -> [Float] {
        Parallelism.$threadCount.withValue(1) { trainIndependentlyOnOneThread(seed: seed) }
    }

    static func trainIndependentlyOnOneThread(seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        let model = ResNet.cifar(depth: 8, inChannels: 1, numClasses: 4, using: &rng)
        let x = Tensor.normal([4, 1, 8, 8], using: &rng)
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        for _ in 0..<2 {
            let (_, params, grads) = valueAndGradient(of: model) { crossEntropy(logits: model(x), labels: [0, 1, 2, 3]) }
            sgd.step(parameters: params, gradients: grads)
        }
        return model.fc.weight.value.scalars
    }

    @Test func modelsOnDifferentThreadsDoNotInteract() {
        let sequential = [Self.trainIndependently(seed: 1), Self.trainIndependently(seed: 2)]
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 2) { i in results.set(i, Self.trainIndependently(seed: UInt64(i + 1))) }
        #expect(results.values[0] == sequential[0] && results.values[1] == sequential[1])
        #expect(sequential[0] != sequential[1])
    }
}
