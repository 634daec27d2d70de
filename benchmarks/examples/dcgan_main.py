"""The PyTorch examples' dcgan/main.py (its MNIST option: 64 x 64 images, one
channel), adapted as a student would for the 2014-gan challenge: the same
networks, initialisation, losses, optimisers and torchvision transforms, reading
the challenge's files instead of torchvision.datasets.MNIST, and writing 10,000
samples scaled back to 28 x 28 instead of image grids and checkpoints.

    python dcgan_main.py [DATA_DIR OUTPUT_DIR]   # /data and /output by default

EPOCHS (25, the example's default) is what a student would change to fit the
CPU limit; BATCH_LIMIT stops each epoch early (for measuring an epoch's part).
"""

import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms
from torchvision.transforms import functional as TF

EPOCHS = 25
BATCH_LIMIT = None
DATA, OUTPUT = (sys.argv[1], sys.argv[2]) if len(sys.argv) > 2 else ("/data", "/output")
nz, ngf, ndf, nc, image_size, batch_size = 100, 64, 64, 1, 64, 64


class Images(Dataset):
    def __init__(self, images, transform):
        self.images, self.transform = images, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return self.transform(self.images[index])


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.main(x).view(-1, 1).squeeze(1)


def main():
    torch.manual_seed(int(os.environ.get("MILESTONES_SEED", "1")))
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    with open(f"{DATA}/train-images-idx3-ubyte", "rb") as handle:
        images = np.frombuffer(handle.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
    transform = transforms.Compose(
        [
            transforms.ToTensor(),
            transforms.Resize(image_size, antialias=True),
            transforms.Normalize((0.5,), (0.5,)),
        ]
    )
    loader = DataLoader(Images(images, transform), batch_size=batch_size, shuffle=True)
    netG, netD = Generator().to(device), Discriminator().to(device)
    netG.apply(weights_init)
    netD.apply(weights_init)
    criterion = nn.BCELoss()
    optimizerD = optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))

    batches_per_epoch = min(len(loader), BATCH_LIMIT or len(loader))
    for epoch in range(1, EPOCHS + 1):
        started = time.process_time()
        for i, real in enumerate(loader):
            if i == batches_per_epoch:
                break
            real = real.to(device)
            netD.zero_grad()
            label = torch.full((real.size(0),), 1.0, device=device)
            errD_real = criterion(netD(real), label)
            errD_real.backward()
            fake = netG(torch.randn(real.size(0), nz, 1, 1, device=device))
            label.fill_(0.0)
            errD_fake = criterion(netD(fake.detach()), label)
            errD_fake.backward()
            optimizerD.step()
            netG.zero_grad()
            label.fill_(1.0)
            errG = criterion(netD(fake), label)
            errG.backward()
            optimizerG.step()
        seconds = time.process_time() - started
        print(
            f"epoch {epoch}/{EPOCHS}: {batches_per_epoch} batches of {len(loader)}, "
            f"{seconds:.1f} CPU s, {seconds / batches_per_epoch:.3f} CPU s a batch, "
            f"Loss_D {(errD_real + errD_fake).item():.4f} Loss_G {errG.item():.4f}",
            flush=True,
        )
        print(f'{{"progress": {epoch / EPOCHS:.3f}, "loss_g": {errG.item():.4f}}}', flush=True)

    netG.eval()
    samples = []
    with torch.no_grad():
        for _ in range(10):
            fake = netG(torch.randn(1000, nz, 1, 1, device=device)).cpu()
            small = TF.resize(fake, [28, 28], antialias=True)[:, 0]
            samples.append(((small + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy())
    np.save(f"{OUTPUT}/samples.npy", np.concatenate(samples))
    print(f"wrote 10000 samples, {time.process_time():.1f} CPU s in all")


if __name__ == "__main__":
    main()
