import Foundation

/// How many threads the kernels may use. Scoped with a task-local value, so there is no
/// global mutable state: `Parallelism.$threadCount.withValue(1) { … }` runs a block on one
/// thread. The default is the number of cores the process may use.
public enum Parallelism {
    @TaskLocal public static var threadCount: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Runs `body(i)` for `i` in `0..<count` on at most `threadCount` threads: worker `t` runs
    /// `i = t, t + threads, …` (a fixed assignment, so results that depend on which thread
    /// summed what are reproducible for a given thread count). Inline when one thread is enough.
    ///
    /// Inside `body`, `threadCount` is 1: task-local values do not travel to GCD's worker
    /// threads by themselves, and a kernel called from a parallel region must not fan out again.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let threads = min(threadCount, count)
        if threads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            // Each iteration index is handed to exactly one worker and the closure is only
            // read, so sharing it across the workers is safe.
            nonisolated(unsafe) let shared = body
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                $threadCount.withValue(1) {
                    var i = t
                    while i < count {
                        shared(i)
                        i += threads
                    }
                }
            }
        }
    }
}
