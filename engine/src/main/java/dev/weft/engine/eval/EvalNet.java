package dev.weft.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.GroupNorm;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.Params;
import dev.weft.engine.nn.WeightPath;
import dev.weft.engine.weights.TensorInfo;
import dev.weft.engine.weights.WeightSource;
import dev.weft.engine.weights.WeightsException;

/**
 * The evaluator network of {@code weft eval} ({@code engine/training/weft_eval/model.py}, {@code EvalNet}): a small
 * U-shaped CNN trained on ground-truth renders of the procedural world only, with three heads: per-pixel object class
 * (13, background included) and object colour (10 + "none") at 64 x 64, and the picture's style (5).
 *
 * <p>Dimensions: B batch, C channels, H, W size; widths c1..c4 at 64, 32, 16 and 8 pixels.
 *
 * <pre>
 *   x (B, 3, 128, 128) in [0, 1], normalised (x - 0.5) / 0.25
 *   stem (conv3x3 s2) -> enc1 (64) -> down2, enc2 (32) -> down3, enc3 (16) -> down4, enc4 (8)
 *   dec3 = block(up(lat4(e4)) + e3), dec2 = block(up(lat3(dec3)) + e2), dec1 = block(up(lat2(dec2)) + e1)
 *   cls, colour = conv1x1(dec1); style = fc2(silu(fc1([mean(e4), mean(e1)])))
 *   block = conv3x3 + GroupNorm(8) + SiLU; up = nearest x2
 * </pre>
 *
 * <p>Parameters (names of the PyTorch {@code state_dict}): {@code {stem,enc1,down2,enc2,down3,enc3,down4,enc4,dec3,
 * dec2,dec1}.{conv,norm}.{weight,bias}}, {@code lat{4,3,2}.{weight,bias}}, {@code cls.*}, {@code colour.*},
 * {@code style_fc1.*}, {@code style_fc2.*}.
 */
public final class EvalNet {
    public static final int INPUT = 128;
    public static final int OUTPUT = 64;
    public static final int CLASSES = 13;
    public static final int COLOURS = 11;
    /** Colour-head index of "no object here". */
    public static final int NO_COLOUR = 10;
    public static final int STYLES = 5;
    static final int GROUPS = 8;
    static final float EPS = 1e-5f;
    private static final int STYLE_HIDDEN = 64;

    /** conv3x3 (stride s) + GroupNorm + SiLU, names {@code conv}, {@code norm}. */
    private static final class ConvNorm {
        final Conv2d conv;
        final GroupNorm norm;

        ConvNorm(WeightPath p, long in, long out, int stride) {
            conv = new Conv2d(p.pp("conv"), in, out, 3, stride, 1, true);
            norm = new GroupNorm(p.pp("norm"), GROUPS, out, EPS);
        }

        NDArray forward(NDArray x) {
            return Ops.silu(norm.forward(conv.forward(x)));
        }
    }

    /** Logits: {@code cls} (B, 13, 64, 64), {@code colour} (B, 11, 64, 64), {@code style} (B, 5). */
    public record Output(NDArray cls, NDArray colour, NDArray style) { }

    private final int[] widths;
    private final ConvNorm stem, enc1, down2, enc2, down3, enc3, down4, enc4, dec3, dec2, dec1;
    private final Conv2d lat4, lat3, lat2, cls, colour;
    private final Linear styleFc1, styleFc2;

    /** @param widths c1..c4 (the shipped evaluator: 32, 64, 96, 128) */
    public EvalNet(WeightPath p, int[] widths) {
        if (widths.length != 4) {
            throw new IllegalArgumentException("evalnet widths: expected 4, found " + widths.length);
        }
        this.widths = widths.clone();
        int c1 = widths[0], c2 = widths[1], c3 = widths[2], c4 = widths[3];
        stem = new ConvNorm(p.pp("stem"), 3, c1, 2);
        enc1 = new ConvNorm(p.pp("enc1"), c1, c1, 1);
        down2 = new ConvNorm(p.pp("down2"), c1, c2, 2);
        enc2 = new ConvNorm(p.pp("enc2"), c2, c2, 1);
        down3 = new ConvNorm(p.pp("down3"), c2, c3, 2);
        enc3 = new ConvNorm(p.pp("enc3"), c3, c3, 1);
        down4 = new ConvNorm(p.pp("down4"), c3, c4, 2);
        enc4 = new ConvNorm(p.pp("enc4"), c4, c4, 1);
        lat4 = new Conv2d(p.pp("lat4"), c4, c3, 1, 1, 0, true);
        dec3 = new ConvNorm(p.pp("dec3"), c3, c3, 1);
        lat3 = new Conv2d(p.pp("lat3"), c3, c2, 1, 1, 0, true);
        dec2 = new ConvNorm(p.pp("dec2"), c2, c2, 1);
        lat2 = new Conv2d(p.pp("lat2"), c2, c1, 1, 1, 0, true);
        dec1 = new ConvNorm(p.pp("dec1"), c1, c1, 1);
        cls = new Conv2d(p.pp("cls"), c1, CLASSES, 1, 1, 0, true);
        colour = new Conv2d(p.pp("colour"), c1, COLOURS, 1, 1, 0, true);
        styleFc1 = new Linear(p.pp("style_fc1"), c4 + c1, STYLE_HIDDEN, true);
        styleFc2 = new Linear(p.pp("style_fc2"), STYLE_HIDDEN, STYLES, true);
    }

    /** Loads an evaluator from {@code source}; the widths are read from the tensors' shapes. */
    public static EvalNet load(WeightSource source, NDManager manager) {
        int[] w = new int[4];
        String[] names = {"stem.conv.weight", "down2.conv.weight", "down3.conv.weight", "down4.conv.weight"};
        for (int i = 0; i < 4; i++) {
            TensorInfo t = source.tensors().get(names[i]);
            if (t == null) {
                throw new WeightsException(source.describe() + ": not an evaluator (no tensor " + names[i] + ")");
            }
            w[i] = Math.toIntExact(t.shape()[0]);
        }
        Params p = Params.load(source, manager);
        EvalNet net = new EvalNet(p.root(), w);
        p.requireComplete();
        return net;
    }

    public int[] widths() {
        return widths.clone();
    }

    /** x (B, 3, 128, 128) in [0, 1] to the three heads' logits (mirrors {@code EvalNet.forward}). */
    public Output forward(NDArray x) {
        var s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != INPUT || s.get(3) != INPUT) {
            throw new IllegalArgumentException("evaluator input: expected (B, 3, " + INPUT + ", " + INPUT
                    + "), found " + s);
        }
        // 1. encoder
        NDArray h = x.sub(0.5f).div(0.25f);
        NDArray e1 = enc1.forward(stem.forward(h));                               // (B, c1, 64, 64)
        NDArray e2 = enc2.forward(down2.forward(e1));                             // (B, c2, 32, 32)
        NDArray e3 = enc3.forward(down3.forward(e2));                             // (B, c3, 16, 16)
        NDArray e4 = enc4.forward(down4.forward(e3));                             // (B, c4, 8, 8)
        // 2. decoder
        NDArray d3 = dec3.forward(up(lat4.forward(e4)).add(e3));                  // (B, c3, 16, 16)
        NDArray d2 = dec2.forward(up(lat3.forward(d3)).add(e2));                  // (B, c2, 32, 32)
        NDArray d1 = dec1.forward(up(lat2.forward(d2)).add(e1));                  // (B, c1, 64, 64)
        // 3. heads
        NDArray g = NDArrays.concat(new NDList(spatialMean(e4), spatialMean(e1)), 1);   // (B, c4 + c1)
        NDArray style = styleFc2.forward(Ops.silu(styleFc1.forward(g)));         // (B, 5)
        return new Output(cls.forward(d1), colour.forward(d1), style);
    }

    /** (B, C, H, W) to (B, C): the mean over positions. */
    private static NDArray spatialMean(NDArray x) {
        var s = x.getShape();
        return x.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).mean(new int[] {2}); // (B, C, HW) -> (B, C)
    }

    /** Nearest-neighbour 2x upsampling, as {@code F.interpolate(scale_factor=2, mode="nearest")}. */
    static NDArray up(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);                                       // (B, C, 2H, 2W)
    }

    /** A 128 x 128 label map to the evaluator's 64 x 64 grid: the label at every even row and column. */
    public static byte[] downsampleLabels(byte[] labels, int side) {
        if (labels.length != side * side || side != 2 * OUTPUT) {
            throw new IllegalArgumentException("labels: expected " + (2 * OUTPUT) + " x " + (2 * OUTPUT)
                    + ", found " + labels.length + " values for side " + side);
        }
        byte[] out = new byte[OUTPUT * OUTPUT];
        for (int y = 0; y < OUTPUT; y++) {
            for (int x = 0; x < OUTPUT; x++) {
                out[y * OUTPUT + x] = labels[(2 * y) * side + 2 * x];
            }
        }
        return out;
    }
}
