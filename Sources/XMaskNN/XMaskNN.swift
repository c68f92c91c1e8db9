// XMaskNN: layers, models, optimizers, quantization-aware training.
