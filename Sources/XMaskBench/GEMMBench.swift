import ArgumentParser
import Foundation
import XMaskTensor

/// `xmask-bench gemm`: SGEMM throughput for square sizes and for the per-image im2col GEMMs
/// of ResNet-20's convolutions (batch 128).
struct GEMMBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "SGEMM GFLOP/s: square sizes at 1 and 2 threads, and ResNet-20's im2col GEMM shapes.")

    @Option(parsing: .upToNextOption, help: "Square sizes n (n×n×n).")
    var sizes: [Int] = [512, 1024, 2048]

    @Option(parsing: .upToNextOption, help: "Thread counts to run each case with.")
    var threads: [Int] = [1, 2]

    @Option(help: "Timed repetitions per case (after one warm-up); min and median are reported.")
    var reps: Int = 7

    @Option(help: "Each repetition repeats the case until it lasts at least this many seconds.")
    var minSeconds: Double = 0.2

    @Flag(help: "Time with the process's CPU time instead of the wall clock (meaningful at --threads 1 on a loaded machine).")
    var cpuClock = false

    @Flag(help: "Skip the ResNet-20 conv GEMM shapes.")
    var squaresOnly = false

    @Flag(help: "Print one JSON array instead of a table.")
    var json = false

    func validate() throws {
        guard reps >= 1, minSeconds >= 0 else { throw ValidationError("--reps must be ≥ 1 and --min-seconds ≥ 0") }
        guard threads.allSatisfy({ $0 >= 1 }), sizes.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads and --sizes must be positive")
        }
    }

    func run() throws {
        var records: [KernelBenchRecord] = []
        if !json {
            print("# xmask-bench gemm — SIMD path \(KernelInfo.simdPath), \(ProcessInfo.processInfo.activeProcessorCount) cores"
                  + (cpuClock ? ", CPU-time clock" : ", wall clock"))
        }
        for t in threads {
            for n in sizes {
                let record = Self.measure(name: "square \(n)", m: n, n: n, k: n, calls: 1, threads: t,
                                          reps: reps, minSeconds: minSeconds, cpuClock: cpuClock)
                records.append(record)
                if !json { print(record.line) }
            }
        }
        if !squaresOnly {
            for t in threads {
                for layer in ResNetConvLayer.resnet20 {
                    for (kernel, m, n, k, ta, tb) in layer.gemmShapes {
                        let record = Self.measure(name: "\(layer.name) \(kernel)", m: m, n: n, k: k,
                                                  transposeA: ta, transposeB: tb, calls: layer.shape.batch,
                                                  threads: t, reps: reps, minSeconds: minSeconds, cpuClock: cpuClock)
                        records.append(record)
                        if !json { print(record.line) }
                    }
                }
            }
        }
        if json { print(KernelBenchRecord.json(records)) }
    }

    /// Times `calls` SGEMMs of one shape (the per-image GEMMs of a batch) on `threads` threads.
    static func measure(name: String, m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false,
                        calls: Int, threads: Int, reps: Int, minSeconds: Double, cpuClock: Bool) -> KernelBenchRecord {
        var rng = SeededGenerator(seed: 7)
        let a = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &rng) }
        let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
        var c = [Float](repeating: 0, count: m * n)
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        let seconds = c.withUnsafeMutableBufferPointer { cb in
            KernelBenchTiming.secondsPerRun(reps: reps, minSeconds: minSeconds, cpuClock: cpuClock) {
                Parallelism.$threadCount.withValue(threads) {
                    for _ in 0..<calls {
                        sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                              a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: cb.baseAddress!, ldc: n)
                    }
                }
                kernelBenchBlackHole(cb[cb.count / 2])
            }
        }
        return KernelBenchRecord(name: name, detail: "m=\(m) n=\(n) k=\(k)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : "")"
                                     + (calls > 1 ? " ×\(calls)" : ""),
                                 threads: threads, flops: 2.0 * Double(m) * Double(n) * Double(k) * Double(calls),
                                 seconds: seconds)
    }
}

/// One benchmark result: min and median seconds per run over the repetitions.
struct KernelBenchRecord {
    var name: String
    var detail: String
    var threads: Int
    var flops: Double
    var seconds: (min: Double, median: Double)

    var line: String {
        let ms = String(format: "%9.3f ms (min %9.3f)", seconds.median * 1e3, seconds.min * 1e3)
        let rate = String(format: "%7.1f GFLOP/s median, %7.1f best", flops / seconds.median / 1e9, flops / seconds.min / 1e9)
        return "\(name.padding(toLength: 26, withPad: " ", startingAt: 0)) thr=\(threads)  \(ms)  \(rate)  [\(detail)]"
    }

    static func json(_ records: [KernelBenchRecord]) -> String {
        let items = records.map { r in
            String(format: "{\"name\":\"%@\",\"detail\":\"%@\",\"simd\":\"%@\",\"threads\":%d,\"flops\":%.0f,\"min_s\":%.6g,\"median_s\":%.6g,"
                   + "\"gflops_median\":%.2f,\"gflops_best\":%.2f}",
                   r.name, r.detail, KernelInfo.simdPath, r.threads, r.flops, r.seconds.min, r.seconds.median,
                   r.flops / r.seconds.median / 1e9, r.flops / r.seconds.min / 1e9)
        }
        return "[\n" + items.joined(separator: ",\n") + "\n]"
    }
}

/// Warm-up, then repeated timed runs with `ContinuousClock` (wall time), or with the
/// process's CPU time when `cpuClock` is set (for one thread on a shared, loaded machine:
/// time spent waiting for a core is not counted).
enum KernelBenchTiming {
    /// Seconds per call of `body`: one warm-up call, then `reps` repetitions, each calling
    /// `body` enough times to last `minSeconds` (the count fixed after the warm-up).
    static func secondsPerRun(reps: Int, minSeconds: Double, cpuClock: Bool = false,
                              _ body: () -> Void) -> (min: Double, median: Double) {
        let clock = ContinuousClock()
        func measure(_ work: () -> Void) -> Double {
            if cpuClock {
                let start = processCPUSeconds()
                work()
                return processCPUSeconds() - start
            }
            return seconds(clock.measure(work))
        }
        let warm = measure(body)
        let inner = max(1, Int((minSeconds / max(warm, 1e-9)).rounded(.up)))
        var times: [Double] = []
        for _ in 0..<reps {
            let elapsed = measure { for _ in 0..<inner { body() } }
            times.append(elapsed / Double(inner))
        }
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2]
            : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        return (times[0], median)
    }

    /// CPU time of all the process's threads.
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}


/// Keeps a result alive so the optimizer cannot drop the work that made it.
@inline(never)
func kernelBenchBlackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
