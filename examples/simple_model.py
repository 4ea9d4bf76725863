# The article's SimpleModel, as the article writes it. Weightscope reads this
# file without running it: click "Inspect" above the class to see each
# layer's initial weights against theory, or "Train" to run AdamW on it.
#
# Training data: a synthetic binary task by default. To train on your own,
# add a comment such as
#   # weightscope: data = {"csv": "data.csv", "target": "y", "task": "binary"}
import torch
import torch.nn as nn
import torch.optim as optim


# 定义模型
class SimpleModel(nn.Module):
    def __init__(self):
        super(SimpleModel, self).__init__()
        self.fc1 = nn.Linear(10, 100)
        self.fc2 = nn.Linear(100, 10)
        self.fc3 = nn.Linear(10, 1)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.relu(self.fc1(x))
        x = self.fc2(x)
        x = self.fc3(x)
        return x


# 实例化模型、损失函数和优化器
model = SimpleModel()
criterion = nn.BCELoss()
optimizer = optim.AdamW(model.parameters(), lr=0.001, weight_decay=1e-2)
