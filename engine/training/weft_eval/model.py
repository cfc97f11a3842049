"""EvalNet: the evaluator network of `weft eval` (Java twin: dev.weft.engine.eval.EvalNet).

One small U-shaped CNN over a 128 x 128 RGB picture with three heads:
  - `cls`:    per pixel, the segmentation class (13: background + the 12 object classes), at 64 x 64;
  - `colour`: per pixel, the object's colour (10 colours + 10 = "none" for the background), at 64 x 64;
  - `style`:  per picture, the render style (5: flat, watercolour, pencil, pixel, neon).
Objects (connected components of one class), their colour (majority of the colour head) and their grid cell
follow from the two pixel heads (done in Java, dev.weft.engine.eval.SceneReader).

Dimensions: B batch, C channels, H, W size. Widths (c1, c2, c3, c4) at 64, 32, 16, 8 pixels.

    x (B, 3, 128, 128) in [0, 1] -> (x - 0.5) / 0.25
    stem      conv3x3 stride 2 -> (B, c1, 64, 64), GN, SiLU
    enc1      block(c1)                                 64
    down2     conv3x3 s2 c1->c2, GN, SiLU; enc2 block   32
    down3     conv3x3 s2 c2->c3, GN, SiLU; enc3 block   16
    down4     conv3x3 s2 c3->c4, GN, SiLU; enc4 block    8
    lat4      conv1x1 c4->c3, nearest x2, + e3, dec3 block   16
    lat3      conv1x1 c3->c2, nearest x2, + e2, dec2 block   32
    lat2      conv1x1 c2->c1, nearest x2, + e1, dec1 block   64
    cls, colour   conv1x1 on dec1
    style     [mean(e4), mean(e1)] -> Linear(c4 + c1, 64), SiLU, Linear(64, 5)
  block(c) = conv3x3 c->c, GN, SiLU  (conv "conv", norm "norm")

Runs on torch 1.13 and 2.x. state_dict names are the Java parameter names.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = 13          # background + 12 object classes (dev.weft.engine.world.Palette)
COLOURS = 11          # 10 colours (dev.weft.engine.world.Colour order) + "none"
NO_COLOUR = 10
STYLES = 5            # dev.weft.engine.world.Style order
INPUT = 128
OUTPUT = 64
GROUPS = 8
EPS = 1e-5
WIDTHS = (32, 64, 96, 128)


class ConvNorm(nn.Module):
    """conv3x3 (stride s) + GroupNorm + SiLU."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride, 1)
        self.norm = nn.GroupNorm(GROUPS, cout, eps=EPS)

    def forward(self, x):
        return F.silu(self.norm(self.conv(x)))


class EvalNet(nn.Module):
    def __init__(self, widths=WIDTHS):
        super().__init__()
        c1, c2, c3, c4 = widths
        self.widths = tuple(widths)
        self.stem = ConvNorm(3, c1, 2)
        self.enc1 = ConvNorm(c1, c1)
        self.down2 = ConvNorm(c1, c2, 2)
        self.enc2 = ConvNorm(c2, c2)
        self.down3 = ConvNorm(c2, c3, 2)
        self.enc3 = ConvNorm(c3, c3)
        self.down4 = ConvNorm(c3, c4, 2)
        self.enc4 = ConvNorm(c4, c4)
        self.lat4 = nn.Conv2d(c4, c3, 1)
        self.dec3 = ConvNorm(c3, c3)
        self.lat3 = nn.Conv2d(c3, c2, 1)
        self.dec2 = ConvNorm(c2, c2)
        self.lat2 = nn.Conv2d(c2, c1, 1)
        self.dec1 = ConvNorm(c1, c1)
        self.cls = nn.Conv2d(c1, CLASSES, 1)
        self.colour = nn.Conv2d(c1, COLOURS, 1)
        self.style_fc1 = nn.Linear(c4 + c1, 64)
        self.style_fc2 = nn.Linear(64, STYLES)

    @staticmethod
    def up(x):
        return F.interpolate(x, scale_factor=2, mode="nearest")

    def forward(self, x):
        """x (B, 3, 128, 128) in [0, 1] -> cls (B, 13, 64, 64), colour (B, 11, 64, 64), style (B, 5)."""
        # 1. encoder
        x = (x - 0.5) / 0.25
        e1 = self.enc1(self.stem(x))                     # (B, c1, 64, 64)
        e2 = self.enc2(self.down2(e1))                   # (B, c2, 32, 32)
        e3 = self.enc3(self.down3(e2))                   # (B, c3, 16, 16)
        e4 = self.enc4(self.down4(e3))                   # (B, c4, 8, 8)
        # 2. decoder
        d3 = self.dec3(self.up(self.lat4(e4)) + e3)      # (B, c3, 16, 16)
        d2 = self.dec2(self.up(self.lat3(d3)) + e2)      # (B, c2, 32, 32)
        d1 = self.dec1(self.up(self.lat2(d2)) + e1)      # (B, c1, 64, 64)
        # 3. heads
        g = torch.cat([e4.mean((2, 3)), e1.mean((2, 3))], 1)   # (B, c4 + c1)
        style = self.style_fc2(F.silu(self.style_fc1(g)))       # (B, 5)
        return self.cls(d1), self.colour(d1), style
