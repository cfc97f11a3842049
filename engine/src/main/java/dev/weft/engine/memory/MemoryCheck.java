package dev.weft.engine.memory;

import ai.djl.Device;

/**
 * Refuses to load a model that cannot fit: compares a {@link MemoryPlan} with what a {@link MemoryProbe} reports.
 * The system property {@code weft.memory.check=false} turns the check off (e.g. with swap, or when the estimate is
 * too cautious for a machine).
 */
public final class MemoryCheck {
    public static final String PROPERTY = "weft.memory.check";

    private MemoryCheck() { }

    /** The plan an fp32 load is checked against: a short document with one image. */
    public static MemoryPlan forLoad(dev.weft.engine.config.ModelConfig cfg, Device device) {
        return forLoad(cfg, device, dev.weft.engine.Precision.FP32);
    }

    /** The plan a load in {@code precision} is checked against: a short document with one image. */
    public static MemoryPlan forLoad(dev.weft.engine.config.ModelConfig cfg, Device device,
                                     dev.weft.engine.Precision precision) {
        return MemoryPlan.of(cfg, precision, MemoryPlan.Target.of(device), Math.min(256, cfg.llm().maxPositions()), 1);
    }

    /** Throws {@link MemoryException} when the plan needs more than is available (unknown figures pass). */
    public static void require(MemoryPlan plan, MemoryProbe probe, Device device, String what) {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"))) {
            return;
        }
        long host = probe.hostAvailable();
        if (host >= 0 && plan.hostBytes() > host) {
            throw new MemoryException(String.format(java.util.Locale.ROOT, "%s needs ~%s of host memory, %s available "
                            + "(%s; see weft info); -D%s=false tries anyway", what, MemoryPlan.human(plan.hostBytes()),
                    MemoryPlan.human(host), summary(plan, plan.host()), PROPERTY));
        }
        if (plan.target() == MemoryPlan.Target.GPU) {
            // the free figure is read through CUDA, so this process's context already exists and is not in it
            long dev = probe.deviceAvailable(device);
            long need = plan.deviceBytes() - plan.bytes("CUDA context");
            if (dev >= 0 && need > dev) {
                throw new MemoryException(String.format(java.util.Locale.ROOT, "%s needs ~%s of GPU memory on %s "
                                + "besides its CUDA context, %s available (%s; see weft info --device gpu); -D%s=false "
                                + "tries anyway", what, MemoryPlan.human(need), device, MemoryPlan.human(dev),
                        summary(plan, plan.device()), PROPERTY));
            }
        }
    }

    private static String summary(MemoryPlan plan, java.util.List<MemoryPlan.Item> items) {
        StringBuilder sb = new StringBuilder(plan.precision().name().toLowerCase(java.util.Locale.ROOT)).append(": ");
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(items.get(i).what()).append(' ')
                    .append(MemoryPlan.human(items.get(i).bytes()));
        }
        return sb.toString();
    }
}
