"""PyTorch's MNIST example network (examples/mnist: two 3×3 convolutions, a 2×2 max pool,
dropout, two linear layers, log_softmax), with its sizes in a config so that the benchmark's
smoke test can build a tiny one. The benchmark trains it with AdamW at batch 64:
our engine reads this file (never runs it) and trains the graph it reads; the PyTorch peer
(bench/torch_bench.py) imports it. Its forward also takes the targets and returns the
example's loss, F.nll_loss(output, target), so that both compute the same loss the same way.
"""
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class NetConfig:
    channels: int = 32
    hidden: int = 128
    classes: int = 10
    image: int = 28


class Net(nn.Module):
    def __init__(self, config: NetConfig = NetConfig()):
        super().__init__()
        c = config.channels
        # Two unpadded 3×3 convolutions take 4 pixels off each side's length, the pool halves it: 28 → 12.
        side = (config.image - 4) // 2
        self.conv1 = nn.Conv2d(1, c, 3, 1)
        self.conv2 = nn.Conv2d(c, 2 * c, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(side * side * 2 * c, config.hidden)
        self.fc2 = nn.Linear(config.hidden, config.classes)

    def forward(self, x, target=None):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        output = F.log_softmax(self.fc2(x), dim=1)
        if target is None:
            return output
        return output, F.nll_loss(output, target)


model = Net(NetConfig())
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
