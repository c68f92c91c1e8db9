import Foundation

/// The result of one `xmask` run.
struct CLIResult {
    var status: Int32
    /// Whether the process ended by a signal (a trap or precondition) rather than an exit.
    var signalled: Bool
    var stdout: String
    var stderr: String
}

/// The package root: this file is `Tests/xmaskCLITests/CLIRunner.swift`.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `xmask` binary beside the test bundle (`swift test` builds it: the test target depends on it).
let xmaskBinary: URL = {
    var dir = Bundle.main.bundleURL
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("xmask")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return packageRoot.appendingPathComponent(".build/debug/xmask")
}()

/// Runs `xmask arguments…` to completion; with `timeoutSeconds`, a run still going then is
/// killed (and reported as signalled, with a note on standard error).
func xmask(_ arguments: [String], in directory: URL? = nil, timeoutSeconds: Double? = nil) throws -> CLIResult {
    let process = Process()
    process.executableURL = xmaskBinary
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "100"
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let timedOut = TimeoutFlag()
    if let timeoutSeconds {
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) {
            if process.isRunning {
                timedOut.set()
                kill(process.processIdentifier, SIGKILL)
            }
        }
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIResult(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                     stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self) + (timedOut.value ? "\n[killed after \(timeoutSeconds ?? 0) s]" : ""))
}

/// A flag set from another thread.
final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false
    func set() { lock.withLock { isSet = true } }
    var value: Bool { lock.withLock { isSet } }
}

/// The demo datasets shipped with the CLI (IDX, gzip).
let demoData = packageRoot.appendingPathComponent("Sources/xmask/DemoData")

/// A scratch directory removed when the value is released.
final class Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("xmask-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}
