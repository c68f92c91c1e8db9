import Foundation
import Testing
@testable import XMaskTensor

@Suite struct AtomicFileTests {
    /// A fresh empty directory, removed by the caller.
    private func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func listing(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func writesANewFileAndLeavesNoTemporaryFile() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("weights.safetensors")
        let data = Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0) })
        try AtomicFile.write(data, to: url)
        #expect(try Data(contentsOf: url) == data)
        #expect(try listing(dir) == ["weights.safetensors"])
    }

    @Test func replacesAnExistingFileWhole() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bundle.json")
        try AtomicFile.write(Data(repeating: 0x41, count: 5000), to: url)
        try AtomicFile.write(Data("short".utf8), to: url)
        #expect(try Data(contentsOf: url) == Data("short".utf8))
        try AtomicFile.write(Data(), to: url)
        #expect(try Data(contentsOf: url).isEmpty)
        #expect(try listing(dir) == ["bundle.json"])
    }

    /// A failure after the temporary file is complete but before the rename (the moment a
    /// crash would hurt most) leaves the old file as it was and no temporary file behind.
    @Test func failureBeforeRenameKeepsTheOldFile() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("mask.safetensors")
        let old = Data("old contents".utf8)
        try AtomicFile.write(old, to: url)
        var seenTemporary: String?
        #expect(throws: FileSystemError.self) {
            try AtomicFile.write(Data(repeating: 7, count: 4096), to: url) { (temporary: String) throws(FileSystemError) in
                seenTemporary = temporary
                // The new bytes are complete and synced in the temporary file beside the target.
                #expect(FileManager.default.contents(atPath: temporary) == Data(repeating: 7, count: 4096))
                #expect(URL(fileURLWithPath: temporary).deletingLastPathComponent().standardizedFileURL.path
                        == dir.standardizedFileURL.path)
                throw FileSystemError(path: temporary, operation: .write, reason: "simulated crash")
            }
        }
        #expect(seenTemporary != nil)
        #expect(try Data(contentsOf: url) == old)
        #expect(try listing(dir) == ["mask.safetensors"])
    }

    @Test func missingDirectoryIsAnErrorNamingIt() {
        let url = URL(fileURLWithPath: "/nonexistent-xmask-dir/sub/backbone.safetensors")
        let error = #expect(throws: FileSystemError.self) { try AtomicFile.write(Data("x".utf8), to: url) }
        #expect(error?.operation == .open)
        #expect(error?.description.contains("/nonexistent-xmask-dir/sub/") == true)
        #expect(error?.description.contains("backbone.safetensors") == true)
    }

    @Test func renameOntoADirectoryFailsAndCleansUp() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("tasks")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: target.appendingPathComponent("inner"))
        let error = #expect(throws: FileSystemError.self) { try AtomicFile.write(Data("x".utf8), to: target) }
        #expect(error?.operation == .rename)
        #expect(error?.path == target.path)
        #expect(try listing(dir) == ["tasks"])
        #expect(try listing(target) == ["inner"])
    }

    @Test func concurrentWritersNeverLeaveAMixedFile() async throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("shared.bin")
        let payloads = (0..<8).map { Data(repeating: UInt8($0), count: 64 * 1024) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for payload in payloads {
                group.addTask { try AtomicFile.write(payload, to: url) }
            }
            try await group.waitForAll()
        }
        let final = try Data(contentsOf: url)
        #expect(payloads.contains(final))
        #expect(try listing(dir) == ["shared.bin"])
    }
}
