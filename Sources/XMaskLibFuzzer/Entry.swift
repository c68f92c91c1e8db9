import Foundation
import XMaskFuzz

// One format's FuzzTarget as a libFuzzer target, or (a normal build) a reproducer.
//
// Built by Scripts/libfuzzer/run.sh with `-sanitize=fuzzer -DXMASK_LIBFUZZER`: libFuzzer owns
// `main`, calls `LLVMFuzzerTestOneInput` with each input (the target's parser; a thrown error
// is a clean refusal) and `LLVMFuzzerCustomMutator` to make the next one with the target's
// structure-aware mutator (an empty input becomes one of its seeds). The format is the
// environment variable XMASK_FUZZ_FORMAT. A normal build is `xmask-libfuzzer FORMAT FILE…`,
// which feeds saved inputs (e.g. a crash file libFuzzer wrote) to the same parser.

/// The target of XMASK_FUZZ_FORMAT (checked once).
let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["XMASK_FUZZ_FORMAT"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        FileHandle.standardError.write(Data("XMASK_FUZZ_FORMAT=\(name): expected one of \(FuzzTarget.all.map(\.name).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = try? selectedTarget.run(input)
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzMutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: CUnsignedInt) -> Int {
    var m = Mutator(seed: UInt64(seed))
    let target = selectedTarget
    var input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if input.isEmpty || m.chance(0.02) { input = target.seeds[m.below(target.seeds.count)] }
    let out = target.mutate(&m, input).prefix(maxSize)
    guard let data else { return 0 }
    out.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: $0.count) }
    return out.count
}

#if XMASK_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point as `main` (`MODULE_main`): hand over to libFuzzer's driver.
@_cdecl("XMaskLibFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return runDriver(&count, &vector) { data, size in fuzzOneInput(data, size) }
}
#else
@main struct Reproduce {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let format = arguments.first, let target = FuzzTarget.named(format), arguments.count >= 2 else {
            print("usage: xmask-libfuzzer FORMAT FILE… (FORMAT: \(FuzzTarget.all.map(\.name).joined(separator: ", ")))")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let bytes = FileManager.default.contents(atPath: path) else { print("\(path): cannot read"); exit(1) }
            do { print("\(path): \(try target.run([UInt8](bytes)))") } catch { print("\(path): refused: \(error)") }
        }
    }
}
#endif
