package dev.weft.engine.weights;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A table of rules from a checkpoint's tensor names to the engine's, applied as a {@link WeightSource} view: each
 * name goes through the rules in order; a {@link Action#RENAME} rewrites it and carries on, a {@link Action#DROP}
 * removes it, a {@link Action#TRANSFORM} (last) changes the tensor's shape and values, lazily, when they are read.
 * Names no rule touches pass through unchanged. See {@link KeyMaps} for the tables.
 */
public final class KeyMap {
    public enum Action { RENAME, DROP, TRANSFORM }

    /** Changes a tensor when it is read; {@link #info} returns null when this tensor needs no change. */
    public interface Transform {
        TensorInfo info(TensorInfo in);

        ByteBuffer apply(TensorInfo in, ByteBuffer float32);
    }

    /** One row of the table: names matching {@code pattern} (whole name), what happens, and why. */
    public record Rule(Pattern pattern, Action action, String replacement, Transform transform, String why) {
        public static Rule rename(String regex, String replacement, String why) {
            return new Rule(Pattern.compile(regex), Action.RENAME, replacement, null, why);
        }

        public static Rule drop(String regex, String why) {
            return new Rule(Pattern.compile(regex), Action.DROP, null, null, why);
        }

        public static Rule transform(String regex, Transform t, String why) {
            return new Rule(Pattern.compile(regex), Action.TRANSFORM, null, t, why);
        }
    }

    private final String name;
    private final List<Rule> rules;

    public KeyMap(String name, List<Rule> rules) {
        this.name = name;
        this.rules = List.copyOf(rules);
    }

    public String name() {
        return name;
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The engine name for a checkpoint name, or null when the tensor is dropped. */
    public String target(String checkpointName) {
        String n = checkpointName;
        for (Rule r : rules) {
            Matcher m = r.pattern.matcher(n);
            if (!m.matches()) {
                continue;
            }
            switch (r.action) {
                case DROP -> {
                    return null;
                }
                case RENAME -> n = m.replaceFirst(r.replacement);
                case TRANSFORM -> { }
            }
        }
        return n;
    }

    private Transform transformFor(String engineName) {
        for (Rule r : rules) {
            if (r.action == Action.TRANSFORM && r.pattern.matcher(engineName).matches()) {
                return r.transform;
            }
        }
        return null;
    }

    /** A view of {@code source} under engine names. Closing the view closes the source. */
    public Mapped apply(WeightSource source) {
        try {
            return new Mapped(source);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /** {@code source} seen through the map; {@link #changes()} says what the map did. */
    public final class Mapped implements WeightSource {
        private final WeightSource source;
        private final Map<String, TensorInfo> infos = new LinkedHashMap<>();
        private final Map<String, String> from = new LinkedHashMap<>();
        private final Map<String, Transform> transforms = new LinkedHashMap<>();
        private final List<String> changes = new ArrayList<>();

        private Mapped(WeightSource source) {
            this.source = source;
            int dropped = 0;
            int renamed = 0;
            for (TensorInfo t : source.tensors().values()) {
                String target = target(t.name());
                if (target == null) {
                    dropped++;
                    continue;
                }
                String prev = from.put(target, t.name());
                if (prev != null) {
                    throw new WeightsException(source.describe() + ": '" + prev + "' and '" + t.name()
                            + "' both map to '" + target + "' (" + name + ")");
                }
                if (!target.equals(t.name())) {
                    renamed++;
                }
                TensorInfo out = new TensorInfo(target, t.dtype(), t.shape());
                Transform tr = transformFor(target);
                TensorInfo changed = tr == null ? null : tr.info(out);
                if (changed != null) {
                    transforms.put(target, tr);
                    changes.add(target + ": " + out.shapeString() + " -> " + changed.shapeString());
                    out = changed;
                }
                infos.put(target, out);
            }
            if (dropped > 0) {
                changes.add(0, "dropped " + dropped + " tensor(s) the engine does not use (e.g. *position_ids)");
            }
            if (renamed > 0) {
                changes.add(0, "renamed " + renamed + " tensor(s)");
            }
        }

        /** One line per kind of change (renamed, dropped, resized), empty when the map was the identity. */
        public List<String> changes() {
            return Collections.unmodifiableList(changes);
        }

        /** The checkpoint name behind an engine name. */
        public String sourceName(String engineName) {
            return from.get(engineName);
        }

        @Override
        public Map<String, TensorInfo> tensors() {
            return Collections.unmodifiableMap(infos);
        }

        @Override
        public ByteBuffer float32(String engineName) {
            String src = from.get(engineName);
            if (src == null) {
                throw new WeightsException(source.describe() + ": no tensor named '" + engineName + "'");
            }
            ByteBuffer v = source.float32(src);
            Transform t = transforms.get(engineName);
            if (t == null) {
                return v;
            }
            TensorInfo in = source.tensors().get(src);
            return t.apply(new TensorInfo(engineName, in.dtype(), in.shape()), v);
        }

        @Override
        public ByteBuffer float16(String engineName) {
            String src = from.get(engineName);
            if (src == null || transforms.containsKey(engineName)) {
                return WeightSource.super.float16(engineName); // via float32: the transform works in fp32
            }
            return source.float16(src);
        }

        @Override
        public String describe() {
            return source.describe();
        }

        @Override
        public void close() {
            source.close();
        }
    }
}
