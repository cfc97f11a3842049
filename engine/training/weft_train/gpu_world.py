"""The whole world data set held as tensors on the training device (uint8 pictures and maps, VAE latents).

A data set of 100,000 records (about 225,000 pictures) is 11 GB of pictures and 3.7 GB of maps: it fits on an H100,
so batches are gathered there and nothing is copied per step. On the CPU (smoke test) the same code runs on a few
records.
"""
import numpy as np
import torch
import torch.nn.functional as F

from .docs import MAP, Catalogue
from .world_data import WorldDataset


class GpuWorld:
    def __init__(self, directory, device, encoder_size, max_images=None):
        self.ds = WorldDataset(directory)
        self.cat = Catalogue(self.ds)
        self.device = device
        self.encoder_size = encoder_size
        images, maps = [], []
        for name in self.ds.shard_names:
            sh = self.ds.shard(name)
            images.append(torch.from_numpy(np.ascontiguousarray(sh.images)).to(device))
            maps.append(torch.from_numpy(np.ascontiguousarray(sh.maps)).to(device))
        self.images = torch.cat(images, 0)                                     # (P, 128, 128, 3) uint8
        self.maps = torch.cat(maps, 0)                                         # (P, 128, 128) uint8
        self.palette = torch.from_numpy(self.ds.palette).to(device)            # (13, 3) uint8
        self.latent_mean = None
        self.latent_std = None

    def __len__(self):
        return self.images.shape[0]

    def pictures(self, index):
        """(n, 3, 128, 128) float in [0, 1]."""
        return self.images[index].permute(0, 3, 1, 2).float() / 255.0

    def colour_maps(self, index):
        return self.palette[self.maps[index].long()].permute(0, 3, 1, 2).float() / 255.0

    def encoder_pixels(self, kind, index):
        """The visual tokenizer's input for each (kind, index): the picture or its colour-coded map, resized to the
        encoder size as the engine does (identity at 128)."""
        pics = self.pictures(index)
        is_map = (kind == MAP)
        if bool(is_map.any()):
            pics = torch.where(is_map[:, None, None, None], self.colour_maps(index), pics)
        if pics.shape[-1] != self.encoder_size:
            pics = F.interpolate(pics, size=(self.encoder_size, self.encoder_size), mode="bicubic",
                                 align_corners=False).clamp(0, 1)
        return pics

    @torch.no_grad()
    def encode_latents(self, vae, batch=512, dtype=torch.float16, autocast=None):
        """VAE posterior mean and std of every picture, kept on the device (unscaled)."""
        means, stds = [], []
        for s in range(0, len(self), batch):
            idx = torch.arange(s, min(s + batch, len(self)), device=self.device)
            x = self.pictures(idx) * 2 - 1
            if autocast is not None:
                with autocast():
                    mean, logvar = vae.encode(x)
            else:
                mean, logvar = vae.encode(x)
            means.append(mean.float().to(dtype))
            stds.append(torch.exp(0.5 * logvar.float()).to(dtype))
        self.latent_mean = torch.cat(means, 0)
        self.latent_std = torch.cat(stds, 0)

    def latents(self, index, scale):
        m = self.latent_mean[index].float()
        return (m + self.latent_std[index].float() * torch.randn_like(m)) * scale
