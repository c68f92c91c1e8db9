import Testing
@testable import XMaskTensor

@Suite struct ElementwiseGradientTests {
    static let broadcastCases: [([Int], [Int])] = [([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [3, 1]), ([1], [2, 3]), ([4, 1, 2], [3, 1])]

    @Test(arguments: broadcastCases) func add(_ sa: [Int], _ sb: [Int]) {
        checkGradients([randomTensor(sa, seed: 1), randomTensor(sb, seed: 2)]) { $0[0] + $0[1] }
    }
    @Test(arguments: broadcastCases) func subtract(_ sa: [Int], _ sb: [Int]) {
        checkGradients([randomTensor(sa, seed: 3), randomTensor(sb, seed: 4)]) { $0[0] - $0[1] }
    }
    @Test(arguments: broadcastCases) func multiply(_ sa: [Int], _ sb: [Int]) {
        checkGradients([randomTensor(sa, seed: 5), randomTensor(sb, seed: 6)]) { $0[0] * $0[1] }
    }
    @Test(arguments: broadcastCases) func divide(_ sa: [Int], _ sb: [Int]) {
        checkGradients([randomTensor(sa, seed: 7), randomTensor(sb, seed: 8, lo: 0.5, hi: 1.5)]) { $0[0] / $0[1] }
    }
    @Test func scalarOperands() {
        checkGradients([randomTensor([3, 2], seed: 9)]) { 2 * $0[0] - 1 + $0[0] / 4 - (3 - $0[0]) }
    }
    @Test func negate() { checkGradients([randomTensor([5], seed: 10)]) { -$0[0] } }
    @Test func exponential() { checkGradients([randomTensor([2, 3], seed: 11)]) { exp($0[0]) } }
    @Test func logarithm() { checkGradients([randomTensor([2, 3], seed: 12, lo: 0.5, hi: 2, positive: true)]) { log($0[0]) } }
    @Test func squareRoot() { checkGradients([randomTensor([2, 3], seed: 13, lo: 0.5, hi: 2, positive: true)]) { sqrt($0[0]) } }
    @Test func power() { checkGradients([randomTensor([2, 3], seed: 14, lo: 0.5, hi: 2, positive: true)]) { pow($0[0], 2.5) } }
    @Test func rectifier() { checkGradients([randomTensor([3, 4], seed: 15)]) { relu($0[0]) } }
    @Test func logistic() { checkGradients([randomTensor([3, 4], seed: 16, hi: 3)]) { sigmoid($0[0]) } }
    @Test func clamped() {
        let x = Tensor([-2, -0.7, -0.2, 0.3, 0.45, 1.5])
        checkGradients([x]) { clamp($0[0], min: -0.5, max: 0.5) }
        let (_, g) = valueAndGradient(at: x) { clamp($0, min: -0.5, max: 0.5).sum() }
        #expect(g.scalars == [0, 0, 1, 1, 1, 0])
    }
    @Test func selection() {
        let cond = Tensor(shape: [2, 3], scalars: [1, 0, 1, 0, 0, 1])
        checkGradients([randomTensor([2, 3], seed: 17), randomTensor([3], seed: 18)]) { select(cond, $0[0], $0[1]) }
        let y = select(cond, Tensor.ones([2, 3]), Tensor(0))
        #expect(y.scalars == cond.scalars)
    }
    @Test func comparisons() {
        let a = Tensor([1, 2, 3]), b = Tensor([2, 2, 2])
        #expect(a.greater(b).scalars == [0, 0, 1])
        #expect(a.greaterEqual(b).scalars == [0, 1, 1])
        #expect(a.less(b).scalars == [1, 0, 0])
        #expect(a.lessEqual(b).scalars == [1, 1, 0])
        #expect(a.equal(b).scalars == [0, 1, 0])
        #expect(!a.greater(b).isTracked)
    }
    @Test func straightThroughForwardsOneValueAndDifferentiatesAnother() {
        let x = Tensor([0.2, 0.7, -0.4])
        let (value, g) = valueAndGradient(at: x) { x in
            let hard = x.greater(0.5)
            return (straightThrough(forward: hard, backward: sigmoid(x)) * Tensor([1, 2, 3])).sum()
        }
        #expect(value.item == 2)  // only 0.7 > 0.5, weighted 2
        let s = x.scalars.map { 1 / (1 + Foundation.exp(-$0)) }
        for i in 0..<3 { #expect(abs(g.scalars[i] - Float(i + 1) * s[i] * (1 - s[i])) < 1e-6) }
    }
    @Test func fanOutAccumulates() {
        checkGradients([randomTensor([4], seed: 19)]) { x in x[0] * x[0] + exp(x[0]) * x[0] }
    }
    @Test func unusedInputGetsZeroGradient() {
        let (_, g) = valueAndGradient(at: [Tensor([1, 2]), Tensor([3, 4, 5])]) { xs in (xs[0] * 2).sum() }
        #expect(g[0].scalars == [2, 2])
        #expect(g[1].scalars == [0, 0, 0])
    }
    @Test func constantsAreNotRecorded() {
        let y = exp(Tensor([1, 2])) + Tensor([3, 4])
        #expect(!y.isTracked)
    }
}

import Foundation
