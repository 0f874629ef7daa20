"""Oracle for tests/model/resnet_test.cpp: torchvision ResNets with seeded random weights.

Usage: /usr/bin/python3 resnet_oracle.py OUT_DIR
Writes, for each of resnet18/34/50:
  <arch>.pth           torch.save(model.state_dict(), f): exactly how torchvision's published
                       weight files are saved (an OrderedDict with _metadata, zip format)
  <arch>_layer{2,3,4}.f32  the eval-mode features for input.f32, raw little-endian float32
plus input.f32 (1x3x64x64), shapes.json, and error cases for resnet18:
  resnet18_plain.pth    dict(state_dict) (a plain dict)
  resnet18_missing.pth  without layer1.0.bn1.running_mean
  resnet18_badshape.pth with layer2.0.conv1.weight of the wrong shape
"""
import json
import os
import sys

import torch
import torchvision


def features(model, x):
    x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    x = model.layer1(x)
    l2 = model.layer2(x)
    l3 = model.layer3(l2)
    l4 = model.layer4(l3)
    return l2, l3, l4


def randomize_batch_norm(model, generator):
    # Default BN statistics are 0/1 and affine 1/0: a loader that skipped them would pass.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=generator) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=generator) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(n, generator=generator) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(n, generator=generator) * 0.1)
            m.num_batches_tracked.fill_(7)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    generator = torch.Generator().manual_seed(1234)
    x = torch.randn(1, 3, 64, 64, generator=generator)
    x.numpy().astype('<f4').tofile(os.path.join(out, 'input.f32'))
    shapes = {}
    for arch in ['resnet18', 'resnet34', 'resnet50']:
        torch.manual_seed(0)
        model = getattr(torchvision.models, arch)()
        with torch.no_grad():
            randomize_batch_norm(model, generator)
        model.eval()
        torch.save(model.state_dict(), os.path.join(out, arch + '.pth'))
        with torch.no_grad():
            outputs = features(model, x)
        for name, tensor in zip(['layer2', 'layer3', 'layer4'], outputs):
            tensor.numpy().astype('<f4').tofile(os.path.join(out, f'{arch}_{name}.f32'))
            shapes[f'{arch}_{name}'] = list(tensor.shape)
        if arch == 'resnet18':
            state = model.state_dict()
            torch.save(dict(state), os.path.join(out, 'resnet18_plain.pth'))
            missing = model.state_dict()
            del missing['layer1.0.bn1.running_mean']
            torch.save(missing, os.path.join(out, 'resnet18_missing.pth'))
            bad = model.state_dict()
            bad['layer2.0.conv1.weight'] = torch.zeros(128, 64, 1, 1)
            torch.save(bad, os.path.join(out, 'resnet18_badshape.pth'))
    with open(os.path.join(out, 'shapes.json'), 'w') as f:
        json.dump(shapes, f)


if __name__ == '__main__':
    main()
