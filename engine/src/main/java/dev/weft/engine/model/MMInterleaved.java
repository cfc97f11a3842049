package dev.weft.engine.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.decoder.ContextResampler;
import dev.weft.engine.diffusion.AutoencoderKL;
import dev.weft.engine.diffusion.UNet2DConditionModel;
import dev.weft.engine.llm.MmDecoder;
import dev.weft.engine.llm.TextHead;
import dev.weft.engine.nn.Params;
import dev.weft.engine.nn.WeightPath;
import dev.weft.engine.vision.VisualTokenizer;
import dev.weft.engine.weights.LoadReport;
import dev.weft.engine.weights.WeightSource;

/**
 * The whole MM-Interleaved model, one parameter tree with the released checkpoint's names (notes 1.9):
 * <pre>
 *   visual_tokenizer.*                        CLIP ViT + ViT-Adapter + Q-Former resampler + proj   (VisualTokenizer)
 *   mm_decoder.*                              LLaMA with MMFS every k layers                       (MmDecoder)
 *   text_decoder.{head, head_new}             text head with the two new-token logits              (TextHead)
 *   context_feat_proj, soi_token,
 *   image_decoder.{perceiver_resampler,
 *                  neg_prompt_embeds}         the UNet condition and the CFG negative              (ContextResampler)
 *   image_decoder.decoder.{unet, mmfs_module} UNet2DCondition + MMFSNet                            (UNet2DConditionModel)
 *   image_decoder.decoder.vae                 AutoencoderKL                                        (AutoencoderKL)
 * </pre>
 * The same class builds every size; the config decides.
 */
public final class MMInterleaved {
    public final ModelConfig config;
    public final VisualTokenizer visualTokenizer;
    public final MmDecoder mmDecoder;
    public final TextHead textDecoder;
    public final ContextResampler context;
    public final UNet2DConditionModel unet;
    public final AutoencoderKL vae;
    private final DataType dataType;

    public MMInterleaved(WeightPath root, ModelConfig cfg) {
        this.config = cfg;
        this.dataType = root.dataType();
        this.visualTokenizer = new VisualTokenizer(root.pp("visual_tokenizer"), cfg);
        this.mmDecoder = new MmDecoder(root.pp("mm_decoder"), cfg.llm(), cfg.vision());
        this.textDecoder = new TextHead(root.pp("text_decoder"), cfg.llm());
        this.context = new ContextResampler(root, cfg);
        WeightPath decoder = root.pp("image_decoder").pp("decoder");
        this.unet = new UNet2DConditionModel(decoder.pp("unet"), decoder.pp("mmfs_module"), cfg.unet(), cfg.vision());
        this.vae = new AutoencoderKL(decoder.pp("vae").fp32(), cfg.vae()); // fp32 always: SD's VAE overflows in fp16
    }

    /**
     * Reads every parameter from {@code source} into arrays owned by {@code manager}. Refuses a partial model:
     * any missing, unexpected or mis-shaped tensor throws a {@link dev.weft.engine.weights.WeightsException} that
     * lists each by full name and shape.
     */
    public static MMInterleaved load(ModelConfig cfg, WeightSource source, NDManager manager) {
        return load(cfg, source, manager, (done, total) -> { });
    }

    /** As {@link #load(ModelConfig, WeightSource, NDManager)}, reporting (values read, values in the source). */
    public static MMInterleaved load(ModelConfig cfg, WeightSource source, NDManager manager,
                                     java.util.function.BiConsumer<Long, Long> progress) {
        return load(cfg, source, manager, DataType.FLOAT32, progress);
    }

    /**
     * As {@link #load(ModelConfig, WeightSource, NDManager, java.util.function.BiConsumer)} with the floating
     * weights in {@code dataType} (fp32 or fp16; the VAE stays fp32).
     */
    public static MMInterleaved load(ModelConfig cfg, WeightSource source, NDManager manager, DataType dataType,
                                     java.util.function.BiConsumer<Long, Long> progress) {
        Params p = Params.load(source, manager, dataType).onProgress(progress);
        MMInterleaved model = new MMInterleaved(p.root(), cfg);
        p.requireComplete();
        return model;
    }

    /** A freshly initialised model (deterministic for a seed), for tests and benchmarks without weights. */
    public static MMInterleaved init(ModelConfig cfg, long seed, NDManager manager) {
        return init(cfg, seed, manager, DataType.FLOAT32);
    }

    /** As {@link #init(ModelConfig, long, NDManager)} with the floating weights in {@code dataType}. */
    public static MMInterleaved init(ModelConfig cfg, long seed, NDManager manager, DataType dataType) {
        return new MMInterleaved(Params.init(manager, seed, dataType).root(), cfg);
    }

    /** The type of the weights and compute (the VAE's excepted: it is always fp32). */
    public DataType dataType() {
        return dataType;
    }

    /** The model's full parameter list and count without allocating anything. */
    public static LoadReport shapes(ModelConfig cfg, java.util.Map<String, long[]> out) {
        Params p = Params.shapesOnly();
        new MMInterleaved(p.root(), cfg);
        if (out != null) {
            out.putAll(p.shapes());
        }
        return p.report();
    }
}
