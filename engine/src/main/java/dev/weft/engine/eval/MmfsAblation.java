package dev.weft.engine.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.Engine;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.model.MMInterleaved;
import dev.weft.engine.text.TextTokenizer;
import dev.weft.engine.weights.Checkpoints;
import dev.weft.engine.weights.KeyMaps;
import dev.weft.engine.weights.TensorInfo;
import dev.weft.engine.weights.WeightSource;
import dev.weft.engine.weights.WeightsException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The MMFS ablation: a model whose Multi-Modal Feature Synchronizers are switched off by zeroing, at load, the
 * tensors through which they reach the rest of the model. Nothing else changes (same weights, same code).
 *
 * <ul>
 *   <li>LLM: {@code mm_decoder.layers.{i}.llama_cross_attn.gate}. The block adds {@code tanh(gate) * MMFS(...)} to
 *       the residual stream, so gate 0 removes it exactly (it is also how the block starts training).</li>
 *   <li>Image decoder (MMFSNet): MMFSNet has no gate; each of its blocks ends in a zero-initialised 1x1 conv
 *       ({@code image_decoder.decoder.mmfs_module.{mmfs_down_blocks.{i},mmfs_mid_block}.conv.{weight,bias}}) whose
 *       output is added to a UNet skip or the mid-block output (ControlNet's "zero convolution"). These convs play
 *       the gates' role: with weight and bias 0 the residual is exactly 0 and the UNet sees the earlier images
 *       only through the LLM's hidden states (its cross-attention condition), as before MMFSNet was trained.</li>
 * </ul>
 * Zeroing both is the paper's "without MMFS" setting at inference: images reach the model only as the LLM's visual
 * tokens. (The MMFS weights themselves still load; their output is multiplied or convolved away.)
 */
public final class MmfsAblation implements WeightSource {
    /** Names of the tensors that are read as zeros. */
    public static final Pattern ZEROED = Pattern.compile(
            "^mm_decoder\\.layers\\.\\d+\\.llama_cross_attn\\.gate$"
                    + "|^image_decoder\\.decoder\\.mmfs_module\\.(mmfs_down_blocks\\.\\d+|mmfs_mid_block)\\.conv\\.(weight|bias)$");

    private final WeightSource inner;

    public MmfsAblation(WeightSource inner) {
        this.inner = inner;
    }

    /** The names (engine names) that this source reads as zeros. */
    public java.util.SortedSet<String> zeroed() {
        TreeSet<String> s = new TreeSet<>();
        for (String n : inner.tensors().keySet()) {
            if (ZEROED.matcher(n).matches()) {
                s.add(n);
            }
        }
        return s;
    }

    @Override
    public Map<String, TensorInfo> tensors() {
        return inner.tensors();
    }

    @Override
    public ByteBuffer float32(String name) {
        if (!ZEROED.matcher(name).matches()) {
            return inner.float32(name);
        }
        TensorInfo t = inner.tensors().get(name);
        if (t == null) {
            throw new WeightsException(inner.describe() + ": no tensor '" + name + "'");
        }
        return ByteBuffer.allocateDirect(Math.toIntExact(t.numel() * 4)).order(ByteOrder.nativeOrder());
    }

    @Override
    public ByteBuffer float16(String name) {
        return ZEROED.matcher(name).matches() ? WeightSource.super.float16(name) : inner.float16(name);
    }

    @Override
    public String describe() {
        return inner.describe() + " (MMFS gates and MMFSNet zero convs set to 0)";
    }

    @Override
    public void close() {
        inner.close();
    }

    /**
     * Loads a model folder as {@link Engine#load} does, with MMFS switched off. Refuses a model in which no MMFS
     * tensor was found (the ablation would silently change nothing).
     */
    public static Engine load(Path modelDir, Device device) {
        return load(modelDir, device, dev.weft.engine.Precision.FP32);
    }

    /** As {@link #load(Path, Device)} in a precision. */
    public static Engine load(Path modelDir, Device device, dev.weft.engine.Precision precision) {
        precision.requireRunnable();
        if (!Files.isDirectory(modelDir)) {
            throw new WeightsException(modelDir + ": model folder not found");
        }
        ModelConfig cfg = ModelConfig.read(modelDir.resolve("config.json"));
        TextTokenizer tok = TextTokenizer.load(modelDir.resolve("tokenizer.json"), cfg.tokens());
        NDManager m = NDManager.newBaseManager(device);
        try (MmfsAblation w = new MmfsAblation(KeyMaps.released(cfg).apply(Checkpoints.open(modelDir)))) {
            if (w.zeroed().isEmpty()) {
                throw new WeightsException(modelDir + ": no MMFS gate or MMFSNet conv found to switch off");
            }
            MMInterleaved model = MMInterleaved.load(cfg, w, m, precision.dataType(), (done, total) -> { });
            return Engine.of(model, tok, m);
        } catch (RuntimeException e) {
            m.close();
            tok.close();
            throw e;
        }
    }
}
