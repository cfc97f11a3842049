package dev.weft.engine.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;

/** The report as a text table (rows: task and metric; columns: model, MMFS off, ground truth, random) and JSON. */
public final class EvalTable {
    private EvalTable() { }

    public static String format(EvalRunner.Report r) {
        StringBuilder sb = new StringBuilder();
        String rowFmt = "%-15s %-26s";
        sb.append(String.format(Locale.ROOT, rowFmt, "task", "metric"));
        for (EvalRunner.Column c : EvalRunner.Column.values()) {
            sb.append(String.format(Locale.ROOT, " %12s", c.label));
        }
        sb.append('\n');
        for (EvalRunner.Metric m : EvalRunner.Metric.values()) {
            sb.append(String.format(Locale.ROOT, rowFmt, m.task, m.label));
            for (EvalRunner.Column c : EvalRunner.Column.values()) {
                double v = r.get(m, c);
                sb.append(String.format(Locale.ROOT, " %12s", Double.isNaN(v) ? "-" : String.format(Locale.ROOT,
                        "%.3f", v)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** One object per metric, one field per column (null where the figure is NaN). */
    private static void table(ObjectNode out,
                              java.util.function.ToDoubleBiFunction<EvalRunner.Metric, EvalRunner.Column> value) {
        for (EvalRunner.Metric m : EvalRunner.Metric.values()) {
            ObjectNode row = out.putObject(m.task + " " + m.label);
            for (EvalRunner.Column c : EvalRunner.Column.values()) {
                double v = value.applyAsDouble(m, c);
                if (Double.isNaN(v)) {
                    row.putNull(c.label);
                } else {
                    row.put(c.label, v);
                }
            }
        }
    }

    /**
     * {@code {"options": {...}, "metrics": {"text->image class accuracy": {"model": 0.5, ...}, ...},
     * "standard_errors": {"text->image class accuracy": {"model": 0.04, ...}, ...}}}: the standard errors are the
     * bootstrap's over the samples ({@link EvalRunner.Report}).
     */
    public static String json(EvalRunner.Report r, String modelId, String evaluator) {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = om.createObjectNode();
        root.put("model", modelId);
        root.put("evaluator", evaluator);
        ObjectNode opt = root.putObject("options");
        opt.put("seed", r.options().seed());
        opt.put("count", r.options().count());
        opt.put("story_frames", r.options().storyFrames());
        opt.put("steps", r.options().sampling().steps());
        opt.put("guidance", r.options().sampling().guidance());
        opt.put("scheduler", r.options().sampling().scheduler().name().toLowerCase(Locale.ROOT));
        opt.put("temperature", r.options().sampling().temperature());
        opt.put("sampling_seed", r.options().sampling().seed());
        table(root.putObject("metrics"), r::get);
        table(root.putObject("standard_errors"), r::standardError);
        try {
            return om.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
