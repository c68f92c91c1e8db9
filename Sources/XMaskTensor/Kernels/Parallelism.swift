import CXMaskKernels
import Foundation

/// How many threads the kernels may use. Scoped with a task-local value, so there is no
/// global mutable state: `Parallelism.$threadCount.withValue(1) { … }` runs a block on one
/// thread. The default is the number of cores the process may use.
public enum Parallelism {
    @TaskLocal public static var threadCount: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Runs `body(i)` for `i` in `0..<count` on at most `threadCount` threads. Indices are
    /// handed out one at a time from a shared counter, so a worker whose core is taken by
    /// another process simply takes fewer of them and the others go on. `body(i)` must not depend
    /// on which worker runs it (then results are the same whatever the scheduling: callers fix
    /// the work of each index, e.g. a chunk's boundaries, from the thread count alone).
    /// Inline when one thread is enough.
    ///
    /// Inside `body`, `threadCount` is 1: task-local values do not travel to GCD's worker
    /// threads by themselves, and a kernel called from a parallel region must not fan out again.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        forEachWithWorker(count) { _, i in body(i) }
    }

    /// ``forEach(_:_:)`` that also tells `body` which worker (`0..<workers(count)`) runs index
    /// `i`, for scratch space of its own; a worker runs its indices one after another.
    static func forEachWithWorker(_ count: Int, _ body: (_ worker: Int, _ index: Int) -> Void) {
        let threads = workers(count)
        if threads <= 1 {
            for i in 0..<count { body(0, i) }
            return
        }
        let counter = UnsafeMutablePointer<CLong>.allocate(capacity: 1)
        counter.initialize(to: 0)
        defer { counter.deallocate() }
        withoutActuallyEscaping(body) { body in
            // Each index is taken by exactly one worker (atomic counter) and the closure is only
            // read, so sharing it and the counter across the workers is safe.
            nonisolated(unsafe) let (shared, next) = (body, counter)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                $threadCount.withValue(1) {
                    while true {
                        let i = Int(xm_counter_next(next))
                        if i >= count { break }
                        shared(t, i)
                    }
                }
            }
        }
    }

    /// Workers that ``forEach(_:_:)`` starts for `count` indices.
    static func workers(_ count: Int) -> Int { max(1, min(threadCount, count)) }
}
