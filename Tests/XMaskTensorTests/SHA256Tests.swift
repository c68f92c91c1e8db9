import Foundation
import Testing
@testable import XMaskTensor

/// FIPS 180-4 / NIST CAVP example vectors, and block-boundary lengths from Python's
/// `hashlib.sha256(b"a" * n)`.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func standardVectors(message: String, expected: String) {
        #expect(SHA256.hash(Array(message.utf8)).hexString == expected)
    }

    @Test func oneMillionA() {
        let digest = SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(digest.hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
        (120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: length)).hexString == expected)
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let message = (0..<3).flatMap { _ in (0..<256).map { UInt8($0) } }  // 768 bytes
        let oneShot = SHA256.hash(message)
        #expect(oneShot.hexString == "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363")
        for chunk in [1, 7, 63, 64, 65, 200] {
            var hasher = SHA256()
            var i = 0
            while i < message.count {
                hasher.update(Array(message[i..<min(i + chunk, message.count)]))
                i += chunk
            }
            #expect(hasher.finalize() == oneShot, "chunk size \(chunk)")
        }
    }

    @Test func finalizeLeavesTheHasherUsable() {
        var hasher = SHA256()
        hasher.update(Array("ab".utf8))
        _ = hasher.finalize()
        hasher.update(Array("c".utf8))
        #expect(hasher.finalize().hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func hashOfAFileMatchesHashOfItsBytes() throws {
        let bytes = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31) }  // spans several 1 MiB chunks
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha256-\(UUID().uuidString).bin")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try SHA256.hash(contentsOf: url) == SHA256.hash(bytes))
    }

    @Test func hashOfAMissingFileNamesIt() {
        let url = URL(fileURLWithPath: "/nonexistent-xmask-dir/weights.safetensors")
        let error = #expect(throws: FileSystemError.self) { try SHA256.hash(contentsOf: url) }
        #expect(error?.path == url.path)
        #expect(error?.description.contains("weights.safetensors") == true)
    }

    @Test func hexRoundTrip() {
        let digest = SHA256.hash(Array("abc".utf8))
        #expect(SHA256Digest(hex: digest.hexString) == digest)
        #expect(SHA256Digest(hex: digest.hexString.uppercased()) == digest)
        #expect(SHA256Digest(hex: "abc") == nil)
        #expect(SHA256Digest(hex: String(repeating: "g", count: 64)) == nil)
        #expect(digest.description == digest.hexString)
    }
}
