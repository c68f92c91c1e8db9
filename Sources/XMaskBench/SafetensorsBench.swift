import ArgumentParser
import Foundation
import XMaskTensor
#if canImport(Glibc)
import Glibc
#endif

/// `xmask-bench safetensors`: peak memory of reading a large safetensors file (the readers
/// should hold about one copy of the data). Write a file once with `--write`, then read it in a
/// fresh process under `/usr/bin/time -v`; the command also prints its own peak RSS.
struct SafetensorsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "safetensors",
        abstract: "Peak resident memory of reading a large safetensors file (write one first with --write).")

    @Option(help: ArgumentHelp("Write a file of --megabytes of F32 entries (seeded) here and exit.", valueName: "file"))
    var write: String?
    @Option(help: ArgumentHelp("Read this file.", valueName: "file")) var read: String?
    @Option(help: "Size of the written file, MB (10^6 bytes).") var megabytes = 400
    @Option(help: "Entries of the written file.") var entries = 100
    @Option(help: ArgumentHelp("How to read: bytes (Safetensors(contentsOf:), raw entries: task files) or tensors (Safetensors.readTensors: the backbone, checkpoints, import) or state-dict (Safetensors(contentsOf:).tensors(), the way checkpoints and imports were read before).", valueName: "bytes|tensors|state-dict"))
    var api = "bytes"

    func validate() throws {
        if (write == nil) == (read == nil) { throw ValidationError("give --write FILE or --read FILE") }
        guard (1...100_000).contains(megabytes) else { throw ValidationError("--megabytes \(megabytes): expected 1...100000") }
        guard (1...100_000).contains(entries) else { throw ValidationError("--entries \(entries): expected 1...100000") }
        guard ["bytes", "tensors", "state-dict"].contains(api) else { throw ValidationError("--api \(api): expected bytes, tensors or state-dict") }
    }

    func run() throws {
        if let write {
            let perEntry = megabytes * 1_000_000 / 4 / entries
            var rng = SeededGenerator(seed: 1)
            var file = Safetensors()
            for i in 0..<entries {
                let scalars = (0..<perEntry).map { _ in Float(rng.next() >> 40) / Float(1 << 24) - 0.5 }
                file.setTensor(Tensor(shape: [perEntry], scalars: scalars), forKey: "layer\(i).weight")
            }
            try file.write(to: URL(fileURLWithPath: write))
            print("wrote \(write): \(entries) F32 entries of \(perEntry) elements")
            return
        }
        guard let read else { return }
        let url = URL(fileURLWithPath: read)
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
        let clock = ContinuousClock(), start = clock.now
        var checksum: Double = 0
        if api == "bytes" {
            let file = try Safetensors(contentsOf: url)
            for key in file.keys { checksum += Double(try file.entry(key).bytes.last ?? 0) }
        } else if api == "state-dict" {
            let tensors = try Safetensors(contentsOf: url).tensors()
            for t in tensors.values { checksum += Double(t.scalars.last ?? 0) }
        } else {
            let tensors = try Safetensors.readTensors(contentsOf: url).tensors
            for t in tensors.values { checksum += Double(t.scalars.last ?? 0) }
        }
        let elapsed = clock.now - start
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peak = Double(usage.ru_maxrss) * 1024  // kB on Linux
        print(String(format: "read %@ (%.1f MB) as %@ in %@: peak RSS %.1f MB = %.2f× the file (checksum %.3f)",
                     read, Double(size) / 1e6, api, "\(elapsed)", peak / 1e6, peak / Double(max(size, 1)), checksum))
    }
}
