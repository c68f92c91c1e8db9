import Foundation
import Testing
@testable import XMaskCrossbar

/// A small seeded generator local to the tests (XMaskCrossbar imports nothing of ours).
struct TestGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func moments(_ v: [Double]) -> (mean: Double, std: Double) {
    let mean = v.reduce(0, +) / Double(v.count)
    let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)
    return (mean, variance.squareRoot())
}

/// Large-sample checks that each effect produces the rate or distribution it claims. Tolerances
/// are 5 standard errors of the estimate (a correct model fails with probability < 1e-6; the
/// draws are seeded, so the outcome is fixed).
struct DeviceModelTests {
    let n = 200_000

    @Test func stuckAtFaultsHitTheirRatesWithinFiveBinomialSigmas() {
        var m = DeviceModel()
        m.stuckLowRate = 0.004
        m.stuckHighRate = 0.01
        var rng = TestGenerator(state: 1)
        var low = 0, high = 0
        for _ in 0..<n {
            switch m.drawFault(using: &rng) {
            case .stuckLow: low += 1
            case .stuckHigh: high += 1
            case .none: break
            }
        }
        for (count, p) in [(low, m.stuckLowRate), (high, m.stuckHighRate)] {
            let mean = Double(n) * p
            let sigma = (Double(n) * p * (1 - p)).squareRoot()
            #expect(abs(Double(count) - mean) < 5 * sigma, "\(count) stuck cells, expected \(mean) ± \(5 * sigma)")
        }
        // A stuck cell reads g_min / g_max whatever it was programmed to.
        var r = TestGenerator(state: 2)
        #expect(m.levelError(level: 2, cellLevels: 4, programmed: 0.7, fault: .stuckLow, using: &r) == -2)
        #expect(m.levelError(level: 1, cellLevels: 4, programmed: 0.2, fault: .stuckHigh, using: &r) == 2)
    }

    @Test(arguments: [0, 1, 2, 3]) func gaussianProgrammingErrorHasItsMeanAndStd(level: Int) {
        var m = DeviceModel()
        m.levelSigma = [0.01, 0.02, 0.04, 0.03]
        var rng = TestGenerator(state: UInt64(10 + level))
        let target = m.targetConductance(level: level, cellLevels: 4)
        let g = (0..<n).map { _ in m.programmed(level: level, cellLevels: 4, using: &rng) }
        let sigma = m.levelSigma[level]
        if level == 0 {
            // Clipped at 0: half the draws land on 0, the others are |N(0, σ)| (mean σ·√(2/π)/2 overall).
            #expect(g.allSatisfy { $0 >= 0 })
            let zeros = Double(g.filter { $0 == 0 }.count) / Double(n)
            #expect(abs(zeros - 0.5) < 5 * (0.25 / Double(n)).squareRoot())
            return
        }
        let s = moments(g.map { $0 - target })
        #expect(abs(s.mean) < 5 * sigma / Double(n).squareRoot(), "mean \(s.mean)")
        #expect(abs(s.std / sigma - 1) < 5 / (2 * Double(n)).squareRoot(), "std \(s.std), expected \(sigma)")
        let within = Double(g.filter { abs($0 - target) < sigma }.count) / Double(n)
        #expect(abs(within - 0.682_689) < 5 * (0.2167 / Double(n)).squareRoot(), "P(|e| < σ) = \(within)")
        // In cell levels the error is the conductance error times (L − 1).
        var r = TestGenerator(state: 3)
        let e = m.levelError(level: level, cellLevels: 4, programmed: target + 0.01, fault: .none, using: &r)
        #expect(abs(e - 0.03) < 1e-12)
    }

    @Test func wan2022PolynomialIsThePublishedFit() throws {
        let m = try DevicePreset.model(named: "wan2022")
        // σ(g = g_max) = Σ c_i = 1.103 µS of 40 µS; σ(0) = c_0 = 0.348 µS.
        #expect(abs(m.programmingSigma(level: 3, cellLevels: 4) - 1.103 / 40) < 1e-12)
        #expect(abs(m.programmingSigma(level: 0, cellLevels: 4) - 0.348 / 40) < 1e-12)
        let x = 2.0 / 3
        let expected = (0.348 + 16.030 * x - 43.853 * x * x + 45.393 * x * x * x - 16.815 * x * x * x * x) / 40
        #expect(abs(m.programmingSigma(level: 2, cellLevels: 4) - expected) < 1e-12)
        var rng = TestGenerator(state: 4)
        let g = (0..<n).map { _ in m.programmed(level: 2, cellLevels: 4, using: &rng) - 2.0 / 3 }
        let s = moments(g)
        #expect(abs(s.std / expected - 1) < 5 / (2 * Double(n)).squareRoot())
        #expect(abs(s.mean) < 5 * expected / Double(n).squareRoot())
    }

    @Test func driftIsAPowerLawInTimeWithTheExponentsSpread() {
        var m = DeviceModel()
        m.driftSeconds = 86_400
        m.driftNuMean = 0.02
        m.driftNuStd = 0.01
        var rng = TestGenerator(state: 5)
        let g0 = m.targetConductance(level: 3, cellLevels: 4)
        let logRatio = (0..<n).map { _ in Foundation.log(m.programmed(level: 3, cellLevels: 4, using: &rng) / g0) }
        let s = moments(logRatio)
        let span = Foundation.log(86_400.0)  // ln(t/t0), t0 = 1 s
        // ln(g/g0) = −ν·ln(t/t0), ν ~ N(0.02, 0.01).
        #expect(abs(s.mean - -0.02 * span) < 5 * 0.01 * span / Double(n).squareRoot(), "mean \(s.mean)")
        #expect(abs(s.std / (0.01 * span) - 1) < 5 / (2 * Double(n)).squareRoot(), "std \(s.std)")
        // Mean conductance: E[(t/t0)^(−ν)] = exp(−ν̄·s + σ²s²/2) for s = ln(t/t0).
        let meanG = logRatio.reduce(0) { $0 + Foundation.exp($1) } / Double(n)
        #expect(abs(meanG - Foundation.exp(-0.02 * span + 0.5 * 0.0001 * span * span)) < 0.002)
    }

    @Test func readNoiseHasItsStd() {
        var m = DeviceModel()
        m.readSigma = 0.01
        var rng = TestGenerator(state: 6)
        let target = m.targetConductance(level: 2, cellLevels: 4)
        let e = (0..<n).map { _ in m.levelError(level: 2, cellLevels: 4, programmed: target, fault: .none, using: &rng) }
        let s = moments(e)
        #expect(abs(s.std / 0.03 - 1) < 5 / (2 * Double(n)).squareRoot())  // 1 % of g_max = 0.03 levels of 4
        #expect(abs(s.mean) < 5 * 0.03 / Double(n).squareRoot())
    }

    @Test func idealCellsReadTheirLevelExactly() {
        let m = DeviceModel()
        #expect(m.isIdeal)
        var rng = TestGenerator(state: 7)
        for level in 0..<4 {
            let g = m.programmed(level: level, cellLevels: 4, using: &rng)
            #expect(m.levelError(level: level, cellLevels: 4, programmed: g, fault: m.drawFault(using: &rng), using: &rng) == 0)
        }
        #expect(rng.state == TestGenerator(state: 7).state, "an ideal model draws nothing")
    }

    @Test func presetsComposeAndEveryFieldCanBeOverridden() throws {
        #expect(Set(DevicePreset.all.map(\.name)).count == DevicePreset.all.count)
        #expect(DevicePreset.all.filter { $0.name != "ideal" }.allSatisfy { !$0.model.isIdeal })
        let m = try DevicePreset.model(named: "wan2022+stuck-1pct+read-1pct")
        #expect(m.programmingPolynomial == DevicePreset.wan2022Coefficients[0].coefficients)
        #expect(m.stuckLowRate == 0.005 && m.stuckHighRate == 0.005 && m.readSigma == 0.01)
        #expect(throws: CrossbarError.self) { try DevicePreset.model(named: "wan2022+nope") }

        let o = try m.applying([("stuckLowRate", .number(0.02)), ("levelSigma", .list([0.01, 0.02, 0.03, 0.04]))])
        #expect(o.stuckLowRate == 0.02 && o.levelSigma == [0.01, 0.02, 0.03, 0.04])
        #expect(throws: CrossbarError.self) { try m.applying([("stuckRate", .number(0.1))]) }
        #expect(throws: CrossbarError.self) { try m.applying([("readSigma", .list([0.1, 0.2]))]) }
        var bad = DeviceModel()
        bad.stuckLowRate = 0.7
        bad.stuckHighRate = 0.4
        #expect(throws: CrossbarError.invalidField(field: "device.stuckHighRate", value: "0.4", expected: "stuckLowRate + stuckHighRate ≤ 1")) {
            try bad.validate(cellLevels: 4)
        }
        var threeLevels = DeviceModel()
        threeLevels.levelSigma = [0.1, 0.1, 0.1]
        #expect(throws: CrossbarError.self) { try threeLevels.validate(cellLevels: 4) }

        // JSON naming only some fields keeps the rest at their defaults, and round-trips.
        let decoded = try JSONDecoder().decode(DeviceModel.self, from: Data(#"{"readSigma": 0.02}"#.utf8))
        var expected = DeviceModel()
        expected.readSigma = 0.02
        #expect(decoded == expected)
        #expect(try JSONDecoder().decode(DeviceModel.self, from: JSONEncoder().encode(m)) == m)
    }
}
