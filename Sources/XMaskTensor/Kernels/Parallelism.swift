import Foundation

/// How many threads the kernels may use. Scoped with a task-local value, so there is no
/// global mutable state: `Parallelism.$threadCount.withValue(1) { … }` runs a block on one
/// thread. The default is the number of cores the process may use.
public enum Parallelism {
    @TaskLocal public static var threadCount: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Runs `body(i)` for `i` in `0..<count`, on up to `threadCount` threads
    /// (inline when one thread is enough).
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let threads = min(threadCount, count)
        if threads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            // The callers hand disjoint index ranges to each iteration; the closure itself is
            // only read, so sharing it across the worker threads is safe.
            nonisolated(unsafe) let shared = body
            DispatchQueue.concurrentPerform(iterations: count) { shared($0) }
        }
    }
}
