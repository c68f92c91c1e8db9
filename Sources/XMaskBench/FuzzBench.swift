import ArgumentParser
import XMaskData
import XMaskFuzz

/// `xmask-bench fuzz`: a long in-process fuzz run of every parser (see `XMaskFuzz`). Run it
/// under `/usr/bin/time -v` for the peak resident memory.
struct FuzzBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz", abstract: "Structure-aware fuzzing of every input format, in-process (0 signals = the run finishes).")

    @Option(help: "Cases per format.") var cases = 10_000
    @Option(help: "Seed of the mutations.") var seed: UInt64 = 1
    @Option(help: "Formats to run (comma-separated); default all: \(FuzzTarget.all.map(\.name).joined(separator: ","))")
    var formats: String?
    @Option(help: "A case slower than this many seconds counts as a hang.") var hangSeconds = 10.0
    @Flag(help: "Instead: decode a gzip bomb of three members of 1 GiB each with the default budget.") var gzipBomb = false

    func run() throws {
        if gzipBomb {
            let bomb = FuzzTarget.gzipBomb(members: 3, bytesPerMember: 1 << 30)
            let clock = ContinuousClock(), start = clock.now
            do {
                let out = try Gzip.decompress(bomb, file: "bomb.gz")
                print("gzip bomb of \(bomb.count) bytes: ACCEPTED \(out.count) bytes")
            } catch {
                print("gzip bomb of \(bomb.count) bytes (3 × 1 GiB): refused after \(clock.now - start): \(error)")
            }
            return
        }
        let names = formats.map { $0.split(separator: ",").map(String.init) } ?? FuzzTarget.all.map(\.name)
        for name in names {
            guard let target = FuzzTarget.named(name) else { throw ValidationError("unknown format \(name)") }
            print(FuzzRunner.run(target, cases: cases, seed: seed, hangSeconds: hangSeconds))
        }
    }
}
