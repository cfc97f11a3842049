package dev.weft.engine.weights;

import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.nn.Resize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Released MM-Interleaved checkpoint names to engine names. The engine already uses the checkpoint's names
 * (notes 1.9), so the table is the identity plus these rules:
 *
 * <table>
 *   <tr><th>checkpoint name</th><th>rule</th><th>why</th></tr>
 *   <tr><td>{@code module.*}</td><td>strip the prefix</td><td>a checkpoint saved from a DeepSpeed / DDP
 *       wrapper</td></tr>
 *   <tr><td>{@code *position_ids}</td><td>drop</td><td>CLIP's {@code embeddings.position_ids} buffer (an arange,
 *       persistent in transformers 4.31); MMI's {@code load_model_weights} drops it too</td></tr>
 *   <tr><td>{@code image_decoder.decoder.vae.*.attentions.N.{query,key,value,proj_attn}}</td><td>to
 *       {@code to_q, to_k, to_v, to_out.0}</td><td>VAE attention names of diffusers before 0.14 (the release was
 *       saved from 0.20 modules; diffusers renames the old ones on load the same way)</td></tr>
 *   <tr><td>{@value #CLIP_POSITION_EMBEDDING}</td><td>bicubic resize of the patch grid, cls row kept</td>
 *       <td>{@code load_model_weights(image_upscale)}: when the config's image size differs from the
 *       checkpoint's (224 px, 16 x 16 patches)</td></tr>
 *   <tr><td>{@value #QFORMER_POSITION_EMBEDDING}</td><td>the same resize</td><td>the reference keeps this
 *       frozen 16 x 16 sin-cos table and resizes it on every call ({@code get_abs_pos}, the same bicubic with the cls
 *       row kept), so resizing it once at load gives the same Q-Former input; the multi-scale maps' tables are then
 *       resized from the new grid instead of from 16 x 16 (a small difference, only at non-released sizes)</td></tr>
 * </table>
 * Both resizes apply only when the config's patch grid differs from the checkpoint's; the released config uses
 * the checkpoint's 224 px, so for it the map is names only.
 * Non-persistent buffers (MMFS {@code scale_ratios}, rotary caches) are not in the checkpoint and the engine
 * computes them; {@code clip_mean}/{@code clip_std} are persistent and the engine requests them.
 */
public final class KeyMaps {
    private KeyMaps() { }

    public static final String CLIP_POSITION_EMBEDDING =
            "visual_tokenizer.encoder.vision_model.embeddings.position_embedding.weight";
    public static final String QFORMER_POSITION_EMBEDDING = "visual_tokenizer.pos_embed";

    /** The map for the released checkpoint loaded into a model of {@code cfg}. */
    public static KeyMap released(ModelConfig cfg) {
        List<KeyMap.Rule> rules = new ArrayList<>(nameRules());
        rules.add(KeyMap.Rule.transform("^" + Pattern.quote(CLIP_POSITION_EMBEDDING) + "$",
                positionEmbedding(cfg.vision().grid()),
                "CLIP position embedding resized to the config's patch grid (image_upscale)"));
        rules.add(KeyMap.Rule.transform("^" + Pattern.quote(QFORMER_POSITION_EMBEDDING) + "$",
                positionEmbedding(cfg.vision().grid()),
                "the visual tokenizer's frozen sin-cos table resized to the config's patch grid (get_abs_pos)"));
        return new KeyMap("MM-Interleaved release", rules);
    }

    /** The renaming and dropping rules alone, for a conversion that does not know the target config. */
    public static KeyMap namesOnly() {
        return new KeyMap("MM-Interleaved release (names only)", nameRules());
    }

    private static List<KeyMap.Rule> nameRules() {
        String vaeAttn = "^(image_decoder\\.decoder\\.vae\\..+\\.attentions\\.\\d+\\.)";
        String legacy = "diffusers < 0.14 VAE attention name";
        return List.of(
                KeyMap.Rule.rename("^module\\.(.+)$", "$1", "DeepSpeed / DDP wrapper prefix"),
                KeyMap.Rule.drop("^(.+\\.)?position_ids$", "CLIP's position_ids buffer, not a parameter"),
                KeyMap.Rule.rename(vaeAttn + "query\\.(weight|bias)$", "$1to_q.$2", legacy),
                KeyMap.Rule.rename(vaeAttn + "key\\.(weight|bias)$", "$1to_k.$2", legacy),
                KeyMap.Rule.rename(vaeAttn + "value\\.(weight|bias)$", "$1to_v.$2", legacy),
                KeyMap.Rule.rename(vaeAttn + "proj_attn\\.(weight|bias)$", "$1to_out.0.$2", legacy));
    }

    /**
     * A CLIP position embedding (1 + g0*g0, C) resized to (1 + g*g, C): the cls row is kept, the g0 x g0 grid is
     * resized with {@code F.interpolate(mode="bicubic", align_corners=False)} as {@code load_model_weights} does.
     */
    public static KeyMap.Transform positionEmbedding(int grid) {
        return new KeyMap.Transform() {
            @Override
            public TensorInfo info(TensorInfo in) {
                int g0 = gridOf(in);
                if (g0 == grid) {
                    return null;
                }
                return new TensorInfo(in.name(), DType.F32, new long[] {1L + (long) grid * grid, in.shape()[1]});
            }

            @Override
            public ByteBuffer apply(TensorInfo in, ByteBuffer float32) {
                int g0 = gridOf(in);
                int c = (int) in.shape()[1];
                FloatBuffer src = float32.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
                float[] out = resizeGrid(src, g0, grid, c);
                ByteBuffer b = ByteBuffer.allocateDirect(out.length * 4).order(ByteOrder.nativeOrder());
                b.asFloatBuffer().put(out);
                return b;
            }
        };
    }

    private static int gridOf(TensorInfo in) {
        long[] s = in.shape();
        if (s.length == 2) {
            long g0 = Math.round(Math.sqrt(s[0] - 1));
            if (g0 * g0 + 1 == s[0]) {
                return (int) g0;
            }
        }
        throw new WeightsException(in.name() + ": expected a CLIP position embedding (1 + g*g, C), found "
                + in.shapeString());
    }

    /** Rows (1 + g0*g0, C) to (1 + g*g, C): row 0 copied, the grid rows resized bicubically. */
    static float[] resizeGrid(FloatBuffer src, int g0, int g, int c) {
        float[] wy = Resize.bicubicMatrix(g0, g);                // (g, g0), the same along both axes
        float[] out = new float[(1 + g * g) * c];
        for (int k = 0; k < c; k++) {
            out[k] = src.get(k);
        }
        double[] rows = new double[g0 * g * c];                  // (g0, g, C): resized along x
        for (int a = 0; a < g0; a++) {
            for (int j = 0; j < g; j++) {
                for (int b = 0; b < g0; b++) {
                    float w = wy[j * g0 + b];
                    if (w == 0f) {
                        continue;
                    }
                    int from = (1 + a * g0 + b) * c;
                    int to = (a * g + j) * c;
                    for (int k = 0; k < c; k++) {
                        rows[to + k] += w * src.get(from + k);
                    }
                }
            }
        }
        double[] acc = new double[c];
        for (int i = 0; i < g; i++) {                            // then along y
            for (int j = 0; j < g; j++) {
                java.util.Arrays.fill(acc, 0);
                for (int a = 0; a < g0; a++) {
                    float w = wy[i * g0 + a];
                    if (w == 0f) {
                        continue;
                    }
                    int from = (a * g + j) * c;
                    for (int k = 0; k < c; k++) {
                        acc[k] += w * rows[from + k];
                    }
                }
                int to = (1 + i * g + j) * c;
                for (int k = 0; k < c; k++) {
                    out[to + k] = (float) acc[k];
                }
            }
        }
        return out;
    }
}
