import ArgumentParser
import XMaskTensor

/// Flags every training command shares.
struct RunOptions: ParsableArguments {
    /// The most threads a run may ask for (far above any machine's cores; each is a kernel worker).
    static let maxThreads = 1024

    @Option(help: "Threads the kernels may use (default: all cores).")
    var threads: Int?

    @Flag(help: "Print a JSON summary on standard output (progress still goes to standard error).")
    var json = false

    @Flag(help: "No progress bar or messages on standard error.")
    var quiet = false

    func validate() throws {
        if let threads, !(1...Self.maxThreads).contains(threads) {
            throw ValidationError("--threads \(threads): expected an integer in 1...\(Self.maxThreads)")
        }
    }

    /// Runs `body` with the requested thread count.
    func withThreads<T>(_ body: () throws -> T) rethrows -> T {
        try Parallelism.$threadCount.withValue(threads ?? Parallelism.threadCount) { try body() }
    }
}
