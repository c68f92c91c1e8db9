import Testing
@testable import XMaskTensor

@Suite struct KernelInfoTests {
    /// The allocator tuning must really reach glibc: a build that compiled the no-op fallback
    /// (as one did, testing `__GLIBC__` before any libc header defined it) faulted ~190 MB of
    /// fresh pages into every ResNet-20 training step.
    @Test func largeAllocationsAreKeptOnGlibc() {
        #if canImport(Glibc)
        #expect(KernelInfo.keepLargeAllocations())
        #endif
    }
}
