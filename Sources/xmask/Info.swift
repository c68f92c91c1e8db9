import ArgumentParser
import Foundation
import XMaskTensor

/// `xmask info`: version, SIMD path of the kernels on this CPU, thread count.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version, the kernels' SIMD path (XMASK_SIMD=avx512|avx2|generic forces it) and the thread count.")

    @Flag(help: "Print a JSON object.") var json = false

    func run() throws {
        let info: [String: String] = [
            "version": XMask.version,
            "simd": KernelInfo.simdPath,
            "simdBest": SIMDPath.best.description,
            "threads": String(Parallelism.threadCount),
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("xmask \(info["version"]!)")
            print("SIMD path: \(info["simd"]!)" + (KernelInfo.isSIMDPathForced ? " (forced by XMASK_SIMD; this CPU's best: \(SIMDPath.best))" : ""))
            print("threads:   \(info["threads"]!)")
        }
    }
}
