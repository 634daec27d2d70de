"""The PyTorch examples' mnist/main.py, adapted as a student would for the
1998-lenet-mnist challenge: the same network, optimiser, schedule and
torchvision transforms, reading the challenge's files instead of
torchvision.datasets.MNIST, and writing predictions instead of a test score.

    python mnist_main.py [DATA_DIR OUTPUT_DIR]   # /data and /output by default

EPOCHS (14, the example's default) and TRAIN_LIMIT (all 60,000) are what a
student would change to fit the CPU limit; see the challenge's README.
"""

import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

EPOCHS = 14
TRAIN_LIMIT = None
DATA, OUTPUT = (sys.argv[1], sys.argv[2]) if len(sys.argv) > 2 else ("/data", "/output")


def read_idx(path):
    with open(path, "rb") as handle:
        data = handle.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


class Digits(Dataset):
    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return self.transform(self.images[index]), int(self.labels[index])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def main():
    torch.manual_seed(int(os.environ.get("MILESTONES_SEED", "1")))
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]
    )
    images = read_idx(f"{DATA}/train-images-idx3-ubyte")[:TRAIN_LIMIT]
    labels = read_idx(f"{DATA}/train-labels-idx1-ubyte")[:TRAIN_LIMIT]
    test = read_idx(f"{DATA}/test-images-idx3-ubyte")
    train_loader = DataLoader(Digits(images, labels, transform), batch_size=64, shuffle=True)
    test_loader = DataLoader(Digits(test, np.zeros(len(test)), transform), batch_size=1000)

    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    for epoch in range(1, EPOCHS + 1):
        model.train()
        started = time.process_time()
        for data, target in train_loader:
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            loss = F.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
        scheduler.step()
        seconds = time.process_time() - started
        print(f"epoch {epoch}/{EPOCHS}: loss {loss.item():.4f}, {seconds:.1f} CPU s", flush=True)
        print(f'{{"progress": {epoch / EPOCHS:.3f}, "loss": {loss.item():.4f}}}', flush=True)

    model.eval()
    with torch.no_grad():
        predicted = [model(data.to(device)).argmax(dim=1).cpu() for data, _ in test_loader]
    labels_out = torch.cat(predicted).tolist()
    with open(f"{OUTPUT}/predictions.csv", "w") as handle:
        handle.write("id,label\n")
        handle.writelines(f"{i},{label}\n" for i, label in enumerate(labels_out))
    print(f"wrote {len(labels_out)} predictions, {time.process_time():.1f} CPU s in all")


if __name__ == "__main__":
    main()
