import Testing
@testable import XMaskTensor

@Test func seededGeneratorIsReproducible() {
    var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
    let xa = (0..<5).map { _ in a.next() }, xb = (0..<5).map { _ in b.next() }, xc = (0..<5).map { _ in c.next() }
    #expect(xa == xb)
    #expect(xa != xc)
}

@Test func normalDrawHasUnitMoments() {
    var rng = SeededGenerator(seed: 1)
    let t = Tensor.normal([20000], using: &rng)
    let mean = t.scalars.reduce(0, +) / Float(t.count)
    let variance = t.scalars.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(t.count)
    #expect(abs(mean) < 0.03)
    #expect(abs(variance - 1) < 0.05)
}

@Test func gumbelDrawHasEulerMean() {
    var rng = SeededGenerator(seed: 2)
    let t = Tensor.gumbel([20000], using: &rng)
    let mean = t.scalars.reduce(0, +) / Float(t.count)
    #expect(abs(mean - 0.5772) < 0.03)
}
