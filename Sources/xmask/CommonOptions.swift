import ArgumentParser
import XMaskTensor

/// Flags every training command shares.
struct RunOptions: ParsableArguments {
    @Option(help: "Threads the kernels may use (default: all cores).")
    var threads: Int?

    @Flag(help: "Print a JSON summary on standard output (progress still goes to standard error).")
    var json = false

    @Flag(help: "No progress bar or messages on standard error.")
    var quiet = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// Runs `body` with the requested thread count.
    func withThreads<T>(_ body: () throws -> T) rethrows -> T {
        try Parallelism.$threadCount.withValue(threads ?? Parallelism.threadCount) { try body() }
    }
}
