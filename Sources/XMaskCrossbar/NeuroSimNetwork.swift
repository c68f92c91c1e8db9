/// The networks of the DNN+NeuroSim V1.5 reference runs (``NeuroSimReferenceCase``).
///
/// Each is the exact network CSV NeuroSim was run on, kept in `results/neurosim/` beside the
/// runs' settings (ResNet-50 and VGG-8 are NeuroSim's own `NetWork_resnet50.csv` and
/// `NetWork_vgg8.csv`; ResNet-18/CIFAR has the layers of xmask's `resnet18-cifar` with a 100-class
/// head, a test in XMaskCrossbarTests compares them).
public enum NeuroSimNetwork: String, Codable, Sendable, CaseIterable {
    case resnet18Cifar = "resnet18-cifar"
    case resnet50
    case resnet18ImageNet = "resnet18-imagenet"
    case vgg8

    /// The layers, every one mapped (classifier included).
    public func shape() throws -> NetworkShape {
        switch self {
        case .resnet18Cifar: return try NetworkShape.parseCSV(Self.resnet18CifarCSV, file: "NetWork_resnet18_cifar.csv", name: rawValue)
        case .resnet50: return try NetworkShape.parseCSV(Self.resnet50CSV, file: "NetWork_resnet50.csv", name: rawValue)
        case .resnet18ImageNet: return try NetworkShape.parseCSV(Self.resnet18ImageNetCSV, file: "NetWork_resnet18_imagenet.csv", name: rawValue)
        case .vgg8: return try NetworkShape.parseCSV(Self.vgg8CSV, file: "NetWork_vgg8.csv", name: rawValue)
        }
    }

    /// `results/neurosim/NetWork_resnet18_cifar.csv` (ResNet-18/CIFAR at 32×32, 100 classes, head included).
    public static let resnet18CifarCSV = """
    32,32,3,3,3,64,0,1
    32,32,64,3,3,64,0,1
    32,32,64,3,3,64,0,1
    32,32,64,3,3,64,0,1
    32,32,64,3,3,64,0,1
    32,32,64,3,3,128,0,2
    16,16,128,3,3,128,0,1
    32,32,64,1,1,128,0,2
    16,16,128,3,3,128,0,1
    16,16,128,3,3,128,0,1
    16,16,128,3,3,256,0,2
    8,8,256,3,3,256,0,1
    16,16,128,1,1,256,0,2
    8,8,256,3,3,256,0,1
    8,8,256,3,3,256,0,1
    8,8,256,3,3,512,0,2
    4,4,512,3,3,512,0,1
    8,8,256,1,1,512,0,2
    4,4,512,3,3,512,0,1
    4,4,512,3,3,512,1,1
    1,1,512,1,1,100,0,1
    """

    /// `results/neurosim/NetWork_resnet50.csv` (NeuroSim V1.5's ImageNet ResNet-50).
    public static let resnet50CSV = """
    224,224,3,7,7,64,1,2
    56,56,64,1,1,64,0,1
    56,56,64,3,3,64,0,1
    56,56,64,1,1,256,0,1
    56,56,64,1,1,256,0,1
    56,56,256,1,1,64,0,1
    56,56,64,3,3,64,0,1
    56,56,64,1,1,256,0,1
    56,56,256,1,1,64,0,1
    56,56,64,3,3,64,0,1
    56,56,64,1,1,256,0,1
    56,56,256,1,1,128,0,1
    56,56,128,3,3,128,0,2
    28,28,128,1,1,512,0,1
    56,56,256,1,1,512,0,2
    28,28,512,1,1,128,0,1
    28,28,128,3,3,128,0,1
    28,28,128,1,1,512,0,1
    28,28,512,1,1,128,0,1
    28,28,128,3,3,128,0,1
    28,28,128,1,1,512,0,1
    28,28,512,1,1,128,0,1
    28,28,128,3,3,128,0,1
    28,28,128,1,1,512,0,1
    28,28,512,1,1,256,0,1
    28,28,256,3,3,256,0,2
    14,14,256,1,1,1024,0,1
    28,28,512,1,1,1024,0,2
    14,14,1024,1,1,256,0,1
    14,14,256,3,3,256,0,1
    14,14,256,1,1,1024,0,1
    14,14,1024,1,1,256,0,1
    14,14,256,3,3,256,0,1
    14,14,256,1,1,1024,0,1
    14,14,1024,1,1,256,0,1
    14,14,256,3,3,256,0,1
    14,14,256,1,1,1024,0,1
    14,14,1024,1,1,256,0,1
    14,14,256,3,3,256,0,1
    14,14,256,1,1,1024,0,1
    14,14,1024,1,1,256,0,1
    14,14,256,3,3,256,0,1
    14,14,256,1,1,1024,0,1
    14,14,1024,1,1,512,0,1
    14,14,512,3,3,512,0,2
    7,7,512,1,1,2048,0,1
    14,14,1024,1,1,2048,0,2
    7,7,2048,1,1,512,0,1
    7,7,512,3,3,512,0,1
    7,7,512,1,1,2048,0,1
    7,7,2048,1,1,512,0,1
    7,7,512,3,3,512,0,1
    7,7,512,1,1,2048,1,1
    1,1,2048,1,1,1000,0,1
    """
    /// `results/neurosim/NetWork_resnet18_imagenet.csv` (torchvision ResNet-18 at 224, NeuroSim's CSV layout).
    public static let resnet18ImageNetCSV = """
    224,224,3,7,7,64,1,2
    56,56,64,3,3,64,0,1
    56,56,64,3,3,64,0,1
    56,56,64,3,3,64,0,1
    56,56,64,3,3,64,0,1
    56,56,64,3,3,128,0,2
    28,28,128,3,3,128,0,1
    56,56,64,1,1,128,0,2
    28,28,128,3,3,128,0,1
    28,28,128,3,3,128,0,1
    28,28,128,3,3,256,0,2
    14,14,256,3,3,256,0,1
    28,28,128,1,1,256,0,2
    14,14,256,3,3,256,0,1
    14,14,256,3,3,256,0,1
    14,14,256,3,3,512,0,2
    7,7,512,3,3,512,0,1
    14,14,256,1,1,512,0,2
    7,7,512,3,3,512,0,1
    7,7,512,3,3,512,1,1
    1,1,512,1,1,1000,0,1
    """
    /// `results/neurosim/NetWork_vgg8.csv` (NeuroSim V1.5's CIFAR VGG-8).
    public static let vgg8CSV = """
    32,32,3,3,3,128,0,1
    32,32,128,3,3,128,1,1
    16,16,128,3,3,256,0,1
    16,16,256,3,3,256,1,1
    8,8,256,3,3,512,0,1
    8,8,512,3,3,512,1,1
    1,1,8192,1,1,1024,0,1
    1,1,1024,1,1,10,0,1
    """
}
