"""Writes the built-in network presets, one `xbarscope-layers` JSON file each, next to this file.

Run `python resources/presets/make_presets.py` after editing; tests/engine/test_presets.py
fails while the committed JSON differs from what this prints. Generated rather than typed
because ResNet-50 and MobileNetV2 have 50+ layers whose sizes follow from a few rules.
Self-contained (no engine import) so it runs from any checkout; layers are written in the
canonical form of engine/network.py's `layer_to_dict`, which the tests check by round trip.
"""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ONE_BIT_512 = {"rows": 512, "cols": 512, "cell_bits": 1, "weight_bits": 1}


def conv(name, hw, ic, oc, k, stride=1, pad=0, groups=1):
    d = {"name": name, "type": "conv", "in_h": hw, "in_w": hw, "in_c": ic, "out_c": oc,
         "k_h": k, "k_w": k, "stride": stride, "padding": pad}
    if groups != 1:
        d["groups"] = groups
    return d


def linear(name, in_features, out_features):
    return {"name": name, "type": "linear", "in_features": in_features, "out_features": out_features}


def out(hw, k, stride=1, pad=0):
    return (hw + 2 * pad - k) // stride + 1


def doc(name, description, layers, array=None):
    d = {"format": "xbarscope-layers", "version": 1, "name": name, "description": description}
    if array is not None:
        d["array"] = array
    d["layers"] = layers
    return d


# --- the paper presets (mapping model, section 8): stride 1, no padding, 1-bit 512x512 ---

VW_SDK = ("Rhe, Moon & Ko, 'VW-SDK: Efficient Convolutional Weight Mapping Using Variable "
          "Windows for Processing-In-Memory Architectures', DATE 2022 (arXiv:2112.11282)")


def vgg13_paper():
    shapes = [(224, 3, 64), (224, 64, 64), (112, 64, 128), (112, 128, 128), (56, 128, 256),
              (56, 256, 256), (28, 256, 512), (28, 512, 512), (14, 512, 512), (14, 512, 512)]
    # Simonyan & Zisserman's names: conv<stage>_<index in stage>, two convs per stage in VGG-13.
    layers = [conv(f"conv{i // 2 + 1}_{i % 2 + 1}", hw, ic, oc, 3) for i, (hw, ic, oc) in enumerate(shapes)]
    return doc("vgg13-paper", f"The 10 conv layers of VGG-13 as in Table I of {VW_SDK}: 3x3 kernels, "
               "stride 1, no padding, on a 512x512 array of 1-bit cells and weights. Reproduces the "
               "published totals: im2col 243736, SDK 114697, VW-SDK 77102 cycles.", layers, ONE_BIT_512)


def resnet18_paper():
    shapes = [("conv1", 112, 7, 3, 64), ("conv2_x", 56, 3, 64, 64), ("conv3_x", 28, 3, 128, 128),
              ("conv4_x", 14, 3, 256, 256), ("conv5_x", 7, 3, 512, 512)]
    layers = [conv(n, hw, ic, oc, k) for n, hw, k, ic, oc in shapes]
    return doc("resnet18-paper", f"One conv layer per ResNet-18 stage (He et al.'s conv1, conv2_x..conv5_x) "
               f"as evaluated in {VW_SDK}: the 7x7 layer taken at stride 1 on a 112x112 IFM, all stride 1, "
               "no padding, 512x512 array of 1-bit cells and weights. Reproduces the published totals: "
               "im2col 20041, SDK 7240, VW-SDK 4294 cycles.", layers, ONE_BIT_512)


def cnn8_svhn():
    ifms, kernels = (40, 18, 18, 9, 7, 7, 5), (5, 3, 3, 3, 3, 3, 5)
    channels = (3, 24, 32, 32, 64, 64, 64, 256)
    layers = [conv(f"conv{i + 1}", hw, channels[i], channels[i + 1], k)
              for i, (hw, k) in enumerate(zip(ifms, kernels))]
    # The classifier after conv7 (1x1x256) is left out: its published size is not confirmed here.
    return doc("cnn8-svhn", "CNN8 for SVHN, the small workload of PIM weight-mapping studies: its 7 conv "
               "layers (IFMs 40, 18, 18, 9, 7, 7, 5; pooling between them is not listed), stride 1, no "
               "padding, on a 256x512 array (256 rows, 512 columns) of 1-bit cells and weights. The final "
               "classifier is not included.", layers, {**ONE_BIT_512, "rows": 256})


# --- real networks, true strides and paddings ---

def vgg(name, cfg, label):
    """torchvision's `features` indices: each conv is followed by a ReLU, so indices step by 2 (1 for a pool)."""
    layers, hw, c, idx = [], 224, 3, 0
    for v in cfg:
        if v == "M":
            hw, idx = out(hw, 2, 2), idx + 1
            continue
        layers.append(conv(f"features.{idx}", hw, c, v, 3, 1, 1))
        c, idx = v, idx + 2
    # AdaptiveAvgPool2d((7, 7)) leaves the 7x7 map of a 224x224 input as it is.
    layers += [linear("classifier.0", c * hw * hw, 4096), linear("classifier.3", 4096, 4096),
               linear("classifier.6", 4096, 1000)]
    return doc(name, f"{label} as in torchvision.models.{name}: 3x3 convs with "
               "stride 1 and padding 1, 2x2 max pools, 224x224x3 input, classifier 25088 -> 4096 -> 4096 "
               "-> 1000. Layer names are torchvision's module names.", layers)


def basic_block(layers, prefix, hw, c, width, stride, shortcut):
    """Two 3x3 convs; a 1x1 projection (named `shortcut`) where the shape changes."""
    o = out(hw, 3, stride, 1)
    layers += [conv(f"{prefix}.conv1", hw, c, width, 3, stride, 1),
               conv(f"{prefix}.conv2", o, width, width, 3, 1, 1)]
    if stride != 1 or c != width:
        layers.append(conv(f"{prefix}.{shortcut}", hw, c, width, 1, stride))
    return o, width


def bottleneck(layers, prefix, hw, c, width, stride, shortcut):
    """torchvision v1.5: the stride sits in the 3x3 conv, not in the first 1x1."""
    o, oc = out(hw, 3, stride, 1), width * 4
    layers += [conv(f"{prefix}.conv1", hw, c, width, 1),
               conv(f"{prefix}.conv2", hw, width, width, 3, stride, 1),
               conv(f"{prefix}.conv3", o, width, oc, 1)]
    if stride != 1 or c != oc:
        layers.append(conv(f"{prefix}.{shortcut}", hw, c, oc, 1, stride))
    return o, oc


def stages(layers, hw, c, widths, depths, block, prefix, shortcut):
    """Stage 1 keeps the map size; every later stage halves it in its first block."""
    for s, (width, n) in enumerate(zip(widths, depths), 1):
        for b in range(n):
            hw, c = block(layers, prefix(s, b), hw, c, width, 2 if s > 1 and b == 0 else 1, shortcut)
    return hw, c


def resnet(name, depths, block, label, note=""):
    layers = [conv("conv1", 224, 3, 64, 7, 2, 3)]
    hw = out(out(224, 7, 2, 3), 3, 2, 1)  # conv1, then the 3x3 stride-2 max pool: 56
    hw, c = stages(layers, hw, 64, (64, 128, 256, 512), depths, block,
                   lambda s, b: f"layer{s}.{b}", "downsample.0")
    layers.append(linear("fc", c, 1000))
    return doc(name, f"{label} (He et al. 2016) as in torchvision.models.{name}: 7x7 stride-2 stem, 3x3 "
               "stride-2 max pool, a 1x1 downsample conv in the first block of each stage that changes the "
               f"shape, global average pool, fc {c} -> 1000; 224x224x3 input.{note} Layer names are "
               "torchvision's module names.", layers)


def cifar_resnet(name, widths, depths, prefix, shortcut, fc, description):
    """32x32x3 input, 3x3 stem to 16 channels, basic-block stages, global average pool, fc to 10."""
    layers = [conv("conv1", 32, 3, 16, 3, 1, 1)]
    _, c = stages(layers, 32, 16, widths, depths, basic_block, prefix, shortcut)
    layers.append(linear(fc, c, 10))
    return doc(name, description, layers)


def resnet20():
    return cifar_resnet(
        "resnet20", (16, 32, 64), (3, 3, 3), lambda s, b: f"layer{s}.{b}", "shortcut.0", "linear",
        "ResNet-20 for CIFAR-10 (He et al. 2016, section 4.2): 3x3 stem to 16 channels, three stages of "
        "three basic blocks with 16/32/64 channels on 32x32, 16x16 and 8x8 maps, global average pool, fc "
        "64 -> 10. The two downsampling blocks use 1x1 stride-2 projection shortcuts (option B) instead of "
        "the paper's parameter-free zero-padding shortcut (option A), so there are 21 convs. Layer names "
        "follow akamaster/pytorch_resnet_cifar10.")


def wrn16_4():
    return cifar_resnet(
        "wrn16-4", (64, 128, 256), (2, 2, 2), lambda s, b: f"block{s}.layer.{b}", "convShortcut", "fc",
        "Wide ResNet 16-4 for CIFAR-10 (Zagoruyko & Komodakis 2016): 3x3 stem to 16 channels, three groups "
        "of two pre-activation basic blocks with 64/128/256 channels on 32x32, 16x16 and 8x8 maps, a 1x1 "
        "shortcut conv where the shape changes (stride 2 in groups 2 and 3), global average pool, fc "
        "256 -> 10. Layer names follow xternalz/WideResNet-pytorch.")


def mobilenet_v2():
    layers, hw, c, i = [conv("features.0.0", 224, 3, 32, 3, 2, 1)], out(224, 3, 2, 1), 32, 1
    # (expansion t, output channels, blocks, stride of the first block): the paper's Table 2.
    for t, oc, n, first in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                            (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)):
        for b in range(n):
            stride, hidden, p, j = first if b == 0 else 1, c * t, f"features.{i}.conv", 0
            if t != 1:  # no 1x1 expansion when t = 1, so torchvision's indices shift down by one
                layers.append(conv(f"{p}.0.0", hw, c, hidden, 1))
                j = 1
            layers.append(conv(f"{p}.{j}.0", hw, hidden, hidden, 3, stride, 1, groups=hidden))
            hw = out(hw, 3, stride, 1)
            layers.append(conv(f"{p}.{j + 1}", hw, hidden, oc, 1))
            c, i = oc, i + 1
    layers += [conv(f"features.{i}.0", hw, c, 1280, 1), linear("classifier.1", 1280, 1000)]
    return doc("mobilenet-v2", "MobileNetV2 (Sandler et al. 2018) as in torchvision.models.mobilenet_v2, width "
               "1.0: 3x3 stride-2 stem to 32 channels, 17 inverted residual blocks (expansion 6, except 1 in "
               "the first), each depthwise 3x3 conv a grouped layer with groups = channels, 1x1 projections, a "
               "final 1x1 conv to 1280, classifier 1280 -> 1000; 224x224x3 input. Layer names are "
               "torchvision's module names.", layers)


VGG13_CFG = [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]
VGG16_CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def build() -> dict:
    """Preset name -> document."""
    docs = [vgg13_paper(), resnet18_paper(), cnn8_svhn(), resnet20(), wrn16_4(),
            vgg("vgg13", VGG13_CFG, "VGG-13 (Simonyan & Zisserman 2015, configuration B)"),
            vgg("vgg16", VGG16_CFG, "VGG-16 (Simonyan & Zisserman 2015, configuration D)"),
            resnet("resnet18", (2, 2, 2, 2), basic_block, "ResNet-18"),
            resnet("resnet34", (3, 4, 6, 3), basic_block, "ResNet-34"),
            resnet("resnet50", (3, 4, 6, 3), bottleneck, "ResNet-50",
                   " Layout v1.5: a bottleneck's stride sits in its 3x3 conv, not its first 1x1."),
            mobilenet_v2()]
    return {d["name"]: d for d in docs}


def render(d: dict) -> str:
    """Header fields one per line, then one layer per line: diffs stay readable."""
    head = [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in d.items() if k != "layers"]
    body = ",\n".join(f"    {json.dumps(layer)}" for layer in d["layers"])
    return "\n".join(["{", *head, '  "layers": [', body, "  ]", "}", ""])


def main():
    for name, d in build().items():
        (HERE / f"{name}.json").write_text(render(d), encoding="utf-8")
        print(f"{name}: {len(d['layers'])} layers")


if __name__ == "__main__":
    main()
