// XMaskData: datasets (IDX, CIFAR, NPY/NPZ), augmentation, batching.
