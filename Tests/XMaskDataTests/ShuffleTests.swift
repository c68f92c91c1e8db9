import Foundation
import Testing
import XMaskData
import XMaskTensor

@Test func shuffleIsDeterministicPerSeedAndEpoch() {
    let a = Shuffle.order(count: 1000, seed: 42, epoch: 3)
    #expect(a == Shuffle.order(count: 1000, seed: 42, epoch: 3))
    #expect(a != Shuffle.order(count: 1000, seed: 43, epoch: 3))
    #expect(a != Shuffle.order(count: 1000, seed: 42, epoch: 4))
    #expect(a.sorted() == Array(0..<1000))
    #expect(Shuffle.order(count: 0, seed: 1, epoch: 0) == [])
    #expect(Shuffle.order(count: 1, seed: 1, epoch: 0) == [0])
}

/// One expected order from `Fixtures/shuffle_orders.json`.
private struct ExpectedOrder: Decodable {
    let count: Int
    let seed: UInt64
    let epoch: Int
    let order: [Int]
}

@Test func shuffleMatchesTheIndependentPythonImplementation() throws {
    // The fixture script re-implements the generator, the seed derivation, the bounded draw and
    // Fisher–Yates in Python: the order is the specified one, and a change of algorithm (which
    // would change every experiment's data order) shows here.
    let cases = try JSONDecoder().decode([ExpectedOrder].self, from: Data(try Fixtures.bytes("shuffle_orders.json")))
    #expect(cases.count == 5)
    for c in cases {
        #expect(Shuffle.order(count: c.count, seed: c.seed, epoch: c.epoch) == c.order, "count \(c.count) seed \(c.seed) epoch \(c.epoch)")
    }
}

@Test func permutationsAreUniform() {
    var rng = SeededGenerator(seed: 5)
    var counts: [[Int]: Int] = [:]
    for _ in 0..<6000 { counts[Shuffle.permutation(count: 3, using: &rng), default: 0] += 1 }
    #expect(counts.count == 6)
    #expect(counts.values.allSatisfy { $0 > 880 && $0 < 1120 }, "\(counts)")
}

@Test func uniformBelowCoversTheRange() {
    var rng = SeededGenerator(seed: 9)
    let draws = (0..<3000).map { _ in Shuffle.uniform(below: 7, using: &rng) }
    #expect(Set(draws) == Set(0..<7))
}
