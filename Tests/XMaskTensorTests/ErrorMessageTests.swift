import Testing
import XMaskTensor

/// Shape mismatches and invalid arguments stop the process with a message naming the op and
/// the shapes (checked in a child process: Swift Testing exit tests).
@Suite struct ErrorMessageTests {
    @Test func broadcastMismatchNamesOpAndShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("add: shapes [2, 3] and [4] cannot be broadcast"))
    }

    @Test func matmulMismatchNamesShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("matmul: [2, 3] × [4, 5]"))
    }

    @Test func convChannelMismatchNamesShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros([1, 3, 4, 4]), Tensor.zeros([2, 1, 3, 3]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("conv2d: input [1, 3, 4, 4] has 3 channels, weight [2, 1, 3, 3] expects 1"))
    }

    @Test func invalidReshapeNamesShapes() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([2, 3]).reshaped([4, 2])
        }
    }
}
