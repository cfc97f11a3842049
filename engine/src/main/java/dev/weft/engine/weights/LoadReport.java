package dev.weft.engine.weights;

import java.util.List;

/**
 * What went wrong matching a weights source to a model: every missing, unexpected and mis-shaped tensor by
 * full name and shape.
 */
public record LoadReport(String source, List<String> missing, List<String> unexpected, List<String> misShaped,
                         long parameterCount) {

    public boolean ok() {
        return missing.isEmpty() && unexpected.isEmpty() && misShaped.isEmpty();
    }

    /** One line per problem, first line a summary. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(source).append(": weights do not match the model (")
                .append(missing.size()).append(" missing, ")
                .append(unexpected.size()).append(" unexpected, ")
                .append(misShaped.size()).append(" wrong shape)");
        misShaped.forEach(s -> sb.append("\n  wrong shape: ").append(s));
        missing.forEach(s -> sb.append("\n  missing: ").append(s));
        unexpected.forEach(s -> sb.append("\n  unexpected: ").append(s));
        return sb.toString();
    }

    /** First problem only, for one-line CLI errors. */
    public String firstProblem() {
        if (!misShaped.isEmpty()) {
            return "wrong shape: " + misShaped.get(0);
        }
        if (!missing.isEmpty()) {
            return "missing tensor " + missing.get(0);
        }
        if (!unexpected.isEmpty()) {
            return "unexpected tensor " + unexpected.get(0);
        }
        return "none";
    }
}
