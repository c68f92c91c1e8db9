import Foundation
import Testing
import XMaskNN
import XMaskTensor

@Suite struct OptimizerTests {
    func close(_ a: [Float], _ b: [Double], _ tol: Double = 1e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) <= tol }
    }

    @Test func sgdMomentumAndWeightDecayByHand() {
        let p = Parameter(Tensor([1, -2]))
        let sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        let g = Tensor([0.5, 0.5])
        sgd.step(parameters: [p], gradients: [g])
        // d = g + 0.01·p = [0.51, 0.48]; first buffer = d; p −= 0.1·d
        #expect(close(p.value.scalars, [1 - 0.051, -2 - 0.048]))
        sgd.step(parameters: [p], gradients: [g])
        // d = [0.5 + 0.00949, 0.5 − 0.02048]; b = 0.9·[0.51, 0.48] + d; p −= 0.1·b
        let d = [0.5 + 0.01 * 0.949, 0.5 + 0.01 * -2.048]
        let b = [0.9 * 0.51 + d[0], 0.9 * 0.48 + d[1]]
        #expect(close(p.value.scalars, [0.949 - 0.1 * b[0], -2.048 - 0.1 * b[1]]))
    }

    @Test func sgdNesterovAndPlainByHand() {
        let p = Parameter(Tensor([1, -2]))
        SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true)
            .step(parameters: [p], gradients: [Tensor([0.5, 0.5])])
        // d = [0.51, 0.48], b = d, update d + 0.9·b = 1.9·d
        #expect(close(p.value.scalars, [1 - 0.1 * 1.9 * 0.51, -2 - 0.1 * 1.9 * 0.48]))
        let q = Parameter(Tensor([3]))
        SGD(learningRate: 0.5).step(parameters: [q], gradients: [Tensor([2])])
        #expect(q.value.scalars == [2])
    }

    @Test func adamByHand() {
        let p = Parameter(Tensor([1]))
        let adam = Adam(learningRate: 0.1)
        adam.step(parameters: [p], gradients: [Tensor([0.5])])
        // m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25: p −= 0.1·0.5/(0.5 + 1e-8)
        #expect(close(p.value.scalars, [1 - 0.1 * 0.5 / (0.5 + 1e-8)]))
        adam.step(parameters: [p], gradients: [Tensor([-1])])
        let m = 0.9 * 0.05 + 0.1 * -1.0, v = 0.999 * 0.00025 + 0.001 * 1.0
        let denom = v.squareRoot() / (1 - 0.999 * 0.999).squareRoot() + 1e-8
        let expected = 0.9 - 0.1 / (1 - 0.81) * m / denom
        #expect(close(p.value.scalars, [expected], 1e-5))
    }

    @Test func adamWeightDecayCoupledAndDecoupled() {
        let p = Parameter(Tensor([2])), q = Parameter(Tensor([2]))
        Adam(learningRate: 0.1, weightDecay: 0.5).step(parameters: [p], gradients: [Tensor([0])])
        // L2: g = 0 + 0.5·2 = 1 → first Adam step moves by lr·sign(g) (up to ε).
        #expect(close(p.value.scalars, [2 - 0.1], 1e-6))
        Adam(learningRate: 0.1, weightDecay: 0.5, decoupledWeightDecay: true).step(parameters: [q], gradients: [Tensor([1])])
        // AdamW: p·(1 − 0.1·0.5) = 1.9, then − 0.1
        #expect(close(q.value.scalars, [1.9 - 0.1], 1e-6))
    }

    @Test func multiOptimizerRoutesGroups() {
        let a = Parameter(Tensor([1])), b = Parameter(Tensor([1]))
        let multi = MultiOptimizer([(SGD(learningRate: 1), [a]), (Adam(learningRate: 0.1), [b])])
        multi.step(parameters: [b, a], gradients: [Tensor([3]), Tensor([3])])
        #expect(a.value.scalars == [-2])              // SGD: 1 − 1·3
        #expect(close(b.value.scalars, [0.9], 1e-6))  // Adam's first step: lr·sign
        let named = [(key: "a", parameter: a), (key: "b", parameter: b)]
        #expect(Set(multi.stateDict(for: named).keys) == ["b.exp_avg", "b.exp_avg_sq", "b.step"])
    }

    /// Trains a small model `steps` steps on fixed data; returns its parameters.
    func train(_ model: Linear, _ optimizer: any Optimizer, steps: Range<Int>, schedule: LearningRateSchedule) {
        var rng = SeededGenerator(seed: 31)
        let x = Tensor.normal([8, 5], using: &rng)
        let labels = (0..<8).map { $0 % 3 }
        for step in steps {
            if let sgd = optimizer as? SGD { sgd.learningRate = schedule.learningRate(at: step) }
            if let adam = optimizer as? Adam { adam.learningRate = schedule.learningRate(at: step) }
            let (_, params, grads) = valueAndGradient(of: model) { crossEntropy(logits: model(x), labels: labels) }
            optimizer.step(parameters: params, gradients: grads)
        }
    }

    @Test(arguments: ["sgd", "adam"])
    func resumeFromSavedStateIsBitIdentical(_ kind: String) throws {
        func makeOptimizer() -> any Optimizer {
            kind == "sgd" ? SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3, nesterov: true)
                : Adam(learningRate: 0.01, weightDecay: 1e-3)
        }
        let schedule = LearningRateSchedule.cosine(base: 0.1, totalSteps: 6, warmupSteps: 2)
        var rng = SeededGenerator(seed: 32)
        let straight = Linear(5, 3, using: &rng)
        let initial = straight.stateDict()
        let optimizer = makeOptimizer()
        train(straight, optimizer, steps: 0..<3, schedule: schedule)
        // Checkpoint after 3 steps, through the safetensors format.
        let weights = try Safetensors(data: Safetensors(tensors: straight.stateDict()).serialized()).tensors()
        let state = try Safetensors(data: Safetensors(tensors: optimizer.stateDict(for: straight.namedParameters())).serialized()).tensors()
        #expect(!state.isEmpty)
        train(straight, optimizer, steps: 3..<6, schedule: schedule)

        let resumed = Linear(5, 3, using: &rng)
        try resumed.load(stateDict: weights)
        let fresh = makeOptimizer()
        try fresh.load(stateDict: state, for: resumed.namedParameters())
        train(resumed, fresh, steps: 3..<6, schedule: schedule)
        #expect(resumed.weight.value.scalars == straight.weight.value.scalars)
        #expect(resumed.bias!.value.scalars == straight.bias!.value.scalars)
        #expect(resumed.weight.value.scalars != initial["weight"]!.scalars)
    }

    @Test func optimizerStateLoadErrors() {
        let p = Parameter(Tensor([1, 2]))
        let named = [(key: "w", parameter: p)]
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        let e1 = #expect(throws: StateDictError.self) {
            try sgd.load(stateDict: ["w.momentum_buffer": Tensor([1, 2, 3]), "v.momentum_buffer": Tensor([1])], for: named)
        }
        #expect(e1?.problems == [.unexpected(key: "v.momentum_buffer", shape: [1]),
                                 .wrongShape(key: "w.momentum_buffer", expected: [2], found: [3])])
        let adam = Adam()
        let e2 = #expect(throws: StateDictError.self) { try adam.load(stateDict: ["w.exp_avg": Tensor([0, 0])], for: named) }
        #expect(e2?.problems.map(\.key) == ["w.exp_avg_sq", "w.step"])
    }
}

@Suite struct ScheduleTests {
    @Test func cosineWithWarmup() {
        let s = LearningRateSchedule.cosine(base: 0.1, totalSteps: 110, warmupSteps: 10)
        #expect(abs(s.learningRate(at: 0) - 0.01) < 1e-7)
        #expect(abs(s.learningRate(at: 9) - 0.1) < 1e-7)
        #expect(abs(s.learningRate(at: 10) - 0.1) < 1e-7)
        #expect(abs(s.learningRate(at: 60) - 0.05) < 1e-7)    // halfway: (1 + cos π/2)/2 = 1/2
        #expect(abs(s.learningRate(at: 35) - 0.1 * Float((1 + cos(Double.pi / 4)) / 2)) < 1e-7)
        #expect(s.learningRate(at: 110) == 0 && s.learningRate(at: 500) == 0)
        let m = LearningRateSchedule.cosine(base: 1, totalSteps: 4, minimum: 0.2)
        #expect(abs(m.learningRate(at: 2) - 0.6) < 1e-6 && abs(m.learningRate(at: 4) - 0.2) < 1e-6)
    }

    @Test func stepDecays() {
        let s = LearningRateSchedule.step(base: 0.1, stepSize: 30, gamma: 0.1)
        #expect(s.learningRate(at: 29) == 0.1)
        #expect(abs(s.learningRate(at: 30) - 0.01) < 1e-8)
        #expect(abs(s.learningRate(at: 65) - 0.001) < 1e-9)
        let m = LearningRateSchedule.multiStep(base: 1, milestones: [50, 75], gamma: 0.5)
        #expect(m.learningRate(at: 49) == 1 && m.learningRate(at: 50) == 0.5 && m.learningRate(at: 80) == 0.25)
        #expect(LearningRateSchedule.constant(base: 0.3).learningRate(at: 1000) == 0.3)
    }
}
