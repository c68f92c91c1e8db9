import Testing
@testable import XMaskTensor

@Suite struct ShapeGradientTests {
    @Test func reshape() { checkGradients([randomTensor([2, 3, 4], seed: 1)]) { $0[0].reshaped([4, -1]) } }
    @Test func permute() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(x.transposed().scalars == [1, 4, 2, 5, 3, 6])
        checkGradients([randomTensor([2, 3, 4], seed: 2)]) { $0[0].transposed([2, 0, 1]) }
    }
    @Test func expand() { checkGradients([randomTensor([3, 1], seed: 3)]) { $0[0].expanded(to: [2, 3, 4]) } }
    @Test func slice() {
        let x = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
        #expect(x.sliced(lower: [0, 0, 0, 0], upper: [1, 1, 4, 4], steps: [1, 1, 2, 2]).scalars == [0, 2, 8, 10])
        checkGradients([randomTensor([2, 3, 5, 5], seed: 4)]) { $0[0].sliced(lower: [0, 1, 0, 1], upper: [2, 3, 5, 4], steps: [1, 1, 2, 2]) }
        checkGradients([randomTensor([4, 3], seed: 5)]) { $0[0].sliced(axis: 0, 1..<3) }
    }
    @Test func pad() {
        let x = Tensor(shape: [2], scalars: [1, 2])
        #expect(x.padded(before: [1], after: [2], value: 9).scalars == [9, 1, 2, 9, 9])
        checkGradients([randomTensor([2, 3, 2], seed: 6)]) { $0[0].padded(before: [0, 2, 1], after: [1, 0, 1]) }
    }
    @Test func concatenate() {
        checkGradients([randomTensor([2, 3], seed: 7), randomTensor([2, 1], seed: 8), randomTensor([2, 2], seed: 9)]) {
            Tensor.concatenate($0, axis: 1)
        }
        checkGradients([randomTensor([1, 3], seed: 10), randomTensor([2, 3], seed: 11)]) { Tensor.concatenate($0, axis: 0) }
    }
    @Test func gather() {
        let x = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        #expect(x.gathering([2, 0, 2], axis: 0).scalars == [5, 6, 1, 2, 5, 6])
        checkGradients([randomTensor([3, 4], seed: 12)]) { $0[0].gathering([3, 1, 1, 0], axis: 1) }
    }
}

@Suite struct ReductionGradientTests {
    @Test func sumAll() { checkGradients([randomTensor([2, 3], seed: 1)]) { $0[0].sum() } }
    @Test(arguments: [[0], [1], [2], [0, 2], [-1]]) func sumAxes(_ axes: [Int]) {
        checkGradients([randomTensor([2, 3, 4], seed: 2)]) { $0[0].sum(axes: axes) }
        checkGradients([randomTensor([2, 3, 4], seed: 3)]) { $0[0].sum(axes: axes, keepDims: true) }
    }
    @Test func mean() {
        let x = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        #expect(x.mean().item == 2.5)
        #expect(x.mean(axes: [0]).scalars == [2, 3])
        checkGradients([randomTensor([2, 3, 4], seed: 4)]) { $0[0].mean(axes: [1, 2]) }
    }
    @Test func maximum() {
        let x = Tensor(shape: [2, 3], scalars: [1, 5, 2, 7, 0, 3])
        #expect(x.max(axes: [1]).scalars == [5, 7])
        #expect(x.max().item == 7)
        checkGradients([randomTensor([3, 4, 2], seed: 5)]) { $0[0].max(axes: [1]) }
    }
}

@Suite struct MatMulGradientTests {
    @Test func matrix() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), b = Tensor(shape: [2, 1], scalars: [5, 6])
        #expect(matmul(a, b).scalars == [17, 39])
        checkGradients([randomTensor([3, 4], seed: 1), randomTensor([4, 5], seed: 2)]) { matmul($0[0], $0[1]) }
    }
    @Test func batched() {
        checkGradients([randomTensor([2, 3, 4], seed: 3), randomTensor([2, 4, 2], seed: 4)]) { matmul($0[0], $0[1]) }
    }
    @Test func sharedMatrix() {
        checkGradients([randomTensor([2, 3, 4], seed: 5), randomTensor([4, 2], seed: 6)]) { matmul($0[0], $0[1]) }
        checkGradients([randomTensor([3, 4], seed: 7), randomTensor([2, 4, 2], seed: 8)]) { matmul($0[0], $0[1]) }
    }
}
