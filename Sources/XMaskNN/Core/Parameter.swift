import XMaskTensor

/// A named slot of a layer holding one tensor: a trainable weight or a running buffer.
///
/// Layers hold `let weight: Parameter` and read `weight.value` in `callAsFunction`; they never
/// see the tape. Training swaps `value` for a tracked tensor for the duration of one
/// ``valueAndGradient(of:parameters:_:)`` call, and optimizers replace `value` after each step.
/// A parameter is a reference type so that identity (`ObjectIdentifier`) keys optimizer state.
public final class Parameter {
    /// What the slot holds: a learned tensor, or a buffer (running statistics, counters) that is
    /// saved in state dicts but never receives a gradient.
    public enum Kind: Sendable, Equatable {
        case parameter
        case buffer
    }

    /// The current tensor.
    public var value: Tensor
    /// Parameter or buffer; fixed at creation.
    public let kind: Kind
    /// Whether `trainableParameters()` lists this slot (always `false` for buffers).
    public var isTrainable: Bool {
        didSet { if kind == .buffer { isTrainable = false } }
    }

    /// A slot holding `value`; parameters start trainable, buffers never are.
    public init(_ value: Tensor, kind: Kind = .parameter) {
        self.value = value
        self.kind = kind
        self.isTrainable = kind == .parameter
    }

    /// Shape of the current value.
    public var shape: [Int] { value.shape }
}

extension Parameter: CustomStringConvertible {
    public var description: String { "Parameter(\(kind), shape: \(value.shape), trainable: \(isTrainable))" }
}
