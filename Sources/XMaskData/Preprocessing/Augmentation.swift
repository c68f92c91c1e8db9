/// Random training-time augmentation: a random crop of the image zero-padded by `cropPadding`
/// pixels on each side, then a horizontal flip with probability 1/2 (the CIFAR recipe of He et
/// al. 2016, §4.2). Both off by default — and keep them off for digits: a flipped digit is
/// another symbol (or none). Padding is zero in pixel space, before normalisation, as
/// torchvision's `RandomCrop(padding:)` does.
public struct Augmentation: Sendable, Equatable {
    /// Pixels of zero padding on each side for the random crop; 0 turns the crop off.
    public var cropPadding: Int
    public var horizontalFlip: Bool

    public init(cropPadding: Int = 0, horizontalFlip: Bool = false) {
        precondition(cropPadding >= 0, "Augmentation: cropPadding \(cropPadding) is negative")
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
    }

    /// No augmentation.
    public static let none = Augmentation()
    /// Pad 4, random 32×32 crop, random horizontal flip (CIFAR).
    public static let standard = Augmentation(cropPadding: 4, horizontalFlip: true)

    public var isIdentity: Bool { cropPadding == 0 && !horizontalFlip }

    /// One image's random choices: the crop offsets (vertical first), then the flip; nothing is
    /// drawn for a disabled part.
    public func draw(using rng: inout some RandomNumberGenerator) -> AugmentationDraw {
        var d = AugmentationDraw.identity
        if cropPadding > 0 {
            d.dy = Shuffle.uniform(below: 2 * cropPadding + 1, using: &rng) - cropPadding
            d.dx = Shuffle.uniform(below: 2 * cropPadding + 1, using: &rng) - cropPadding
        }
        if horizontalFlip { d.flip = rng.next() >> 63 == 1 }
        return d
    }
}

/// The augmentation applied to one image: output pixel (y, x) reads input (y + dy, x + dx)
/// (zero outside the image), then the row is mirrored when `flip` is set.
public struct AugmentationDraw: Sendable, Equatable {
    public var dy: Int
    public var dx: Int
    public var flip: Bool

    public init(dy: Int = 0, dx: Int = 0, flip: Bool = false) {
        self.dy = dy
        self.dx = dx
        self.flip = flip
    }

    public static let identity = AugmentationDraw()
}
