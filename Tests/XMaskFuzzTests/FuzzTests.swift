import Testing
import XMaskFuzz

/// 1,000 seeded mutations per format through the in-process parsers. A signal would kill the
/// test runner, so the test passing is the proof of "no crash"; it also checks that no case
/// ran past the hang threshold, that no accepted input gave a NaN, and that the mutators are
/// effective (some inputs refused) without breaking everything (some accepted).
struct FuzzTests {
    @Test(arguments: FuzzTarget.all.map(\.name))
    func aThousandMutatedInputsNeverCrashHangOrGiveNaN(format: String) throws {
        let target = try #require(FuzzTarget.named(format))
        let stats = FuzzRunner.run(target, cases: 1000, seed: 1, hangSeconds: 10)
        print(stats)
        #expect(stats.cases == 1000)
        #expect(stats.slow == 0, "\(stats)")
        #expect(stats.refused > 100, "the mutations hardly break anything: \(stats)")
        #expect(stats.accepted + stats.nonFinite > 0, "every mutation was refused, the seeds may be invalid: \(stats)")
        #expect(stats.nonFinite == 0 || format == "hw-config", "\(stats)")
    }

    @Test func everySeedIsAccepted() throws {
        for target in FuzzTarget.all {
            for (i, seed) in target.seeds.enumerated() {
                #expect(throws: Never.self, "\(target.name) seed \(i)") { _ = try target.run(seed) }
            }
        }
    }
}
