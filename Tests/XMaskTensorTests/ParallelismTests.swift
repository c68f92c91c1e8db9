import Foundation
import Testing
@testable import XMaskTensor

/// The dynamic work split: every index runs once, on a worker of its own numbering.
@Suite struct ParallelismTests {
    @Test(arguments: [1, 2, 3])
    func everyIndexRunsOnceOnAValidWorker(threads: Int) {
        let count = 37
        var seen = [Int](repeating: 0, count: count), workerOf = [Int](repeating: -1, count: count)
        let workers = Parallelism.$threadCount.withValue(threads) { Parallelism.workers(count) }
        #expect(workers == threads)
        seen.withUnsafeMutableBufferPointer { s in
            workerOf.withUnsafeMutableBufferPointer { w in
                nonisolated(unsafe) let (sp, wp) = (s.baseAddress!, w.baseAddress!)
                Parallelism.$threadCount.withValue(threads) {
                    Parallelism.forEachWithWorker(count) { worker, i in
                        sp[i] += 1
                        wp[i] = worker
                        #expect(Parallelism.threadCount == 1) // no nested fan-out
                        if i % 5 == 0 { usleep(200) }          // uneven work
                    }
                }
            }
        }
        #expect(seen.allSatisfy { $0 == 1 })
        #expect(workerOf.allSatisfy { $0 >= 0 && $0 < workers })
    }
}
