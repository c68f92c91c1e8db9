import XMaskTensor

/// The value of `loss` and its gradient with respect to each of `parameters`, in order.
///
/// For the duration of the call every parameter's `value` is swapped for a tensor tracked on
/// a fresh tape (``XMaskTensor/valueAndGradient(at:of:)``), `loss` runs (it calls the model,
/// which reads `parameter.value` as usual) and the plain values are restored afterwards, also
/// when `loss` throws. Layers never see the tape. Buffers that the closure writes (batch-norm
/// running statistics) keep their new values.
///
/// `parameters` may include parameters that the model does not own (a mask held by a weight
/// transform); anything the closure reads through `parameter.value` is differentiated.
/// Different models (different `Parameter` objects) may train on different threads at once.
///
/// - Precondition: no parameter appears twice.
public func valueAndGradient(
    of model: some Layer, parameters: [Parameter], _ loss: () throws -> Tensor
) rethrows -> (value: Tensor, gradients: [Tensor]) {
    _ = model
    precondition(Set(parameters.map(ObjectIdentifier.init)).count == parameters.count,
                 "valueAndGradient(of: \(type(of: model))): a parameter is listed twice")
    let saved = parameters.map(\.value)
    defer { for (p, v) in zip(parameters, saved) { p.value = v } }
    return try valueAndGradient(at: saved) { (tracked: [Tensor]) throws -> Tensor in
        for (p, t) in zip(parameters, tracked) { p.value = t }
        return try loss()
    }
}

/// ``valueAndGradient(of:parameters:_:)`` over `model.trainableParameters()`; returns those
/// parameters with their gradients.
public func valueAndGradient(
    of model: some Layer, _ loss: () throws -> Tensor
) rethrows -> (value: Tensor, parameters: [Parameter], gradients: [Tensor]) {
    let parameters = model.trainableParameters()
    let (value, gradients) = try valueAndGradient(of: model, parameters: parameters, loss)
    return (value, parameters, gradients)
}
