import Foundation
import Testing
import XMaskNN
import XMaskTensor

/// The golden files made by `Scripts/golden/make_nn_golden.py`.
enum Golden {
    static func url(_ name: String, _ ext: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Golden"),
                     "missing golden file Golden/\(name).\(ext); run Scripts/golden/make_nn_golden.py")
    }

    static func resnet20() throws -> Safetensors {
        try Safetensors(contentsOf: url("resnet20_golden", "safetensors"))
    }

    /// `name → [(key, shape)]` from `state_dict_keys.json`.
    static func keyLists() throws -> [String: [(String, [Int])]] {
        let data = try Data(contentsOf: url("state_dict_keys", "json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var out: [String: [(String, [Int])]] = [:]
        for (name, value) in object where name != "__metadata__" {
            let entries = try #require(value as? [[Any]])
            out[name] = try entries.map { entry in
                (try #require(entry[0] as? String), try #require(entry[1] as? [Int]))
            }
        }
        return out
    }
}

/// Max |a − b| ≤ atol + rtol · max|b| (one scale for the whole tensor), with a message.
func expectClose(_ a: Tensor, _ b: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.shape == b.shape, "\(what): shape \(a.shape) vs \(b.shape)", sourceLocation: sourceLocation)
    guard a.shape == b.shape else { return }
    let scale = b.scalars.reduce(Float(0)) { max($0, abs($1)) }
    let diff = zip(a.scalars, b.scalars).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
    #expect(diff <= atol + rtol * scale, "\(what): max |Δ| = \(diff), max |ref| = \(scale)", sourceLocation: sourceLocation)
}

/// Central-difference gradient of the scalar `f` at `x` (in Double for the difference).
func numericalGradient(_ x: Tensor, epsilon: Float = 1e-3, _ f: (Tensor) -> Tensor) -> Tensor {
    var grad = [Float](repeating: 0, count: x.count)
    for i in 0..<x.count {
        var plus = x.scalars, minus = x.scalars
        plus[i] += epsilon
        minus[i] -= epsilon
        let fp = Double(f(Tensor(shape: x.shape, scalars: plus)).item)
        let fm = Double(f(Tensor(shape: x.shape, scalars: minus)).item)
        grad[i] = Float((fp - fm) / (2 * Double(epsilon)))
    }
    return Tensor(shape: x.shape, scalars: grad)
}

/// `Σ f(x) ⊙ r`: a scalar with a fixed random weight per element (all-ones hides transposes).
func weightedSum(_ y: Tensor, _ r: Tensor) -> Tensor { (y * r).sum() }
