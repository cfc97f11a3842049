package dev.weft.engine.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.LongStream;

/**
 * Writes a world data set: shards of records the PyTorch trainer reads with numpy alone (format:
 * {@code docs/world-format.md}). Per shard {@code shard-NNNNN}: {@code .images.npy} (uint8, N x 128 x 128 x 3,
 * RGB), {@code .maps.npy} (uint8, N x 128 x 128, class id per pixel of the same picture) and {@code .jsonl} (one
 * record per line; its {@code images} are rows of the two arrays). Beside them: {@code manifest.json},
 * {@code tokenizer.json} ({@link Vocabulary}) and {@code palette.json} ({@link Palette}).
 *
 * <p>Records are made in parallel on {@code threads} threads (default: all cores); the bytes written depend only
 * on seed, count, shard size and mix.
 */
public final class WorldWriter {
    public static final String FORMAT = "weft-world";
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to write. {@code threads} 0 means all cores. */
    public record Options(long seed, long count, Path out, int shardSize, int threads, WorldSample.Mix mix,
                          boolean progress) {
        public Options {
            if (count < 0) {
                throw new IllegalArgumentException("count must be >= 0, was " + count);
            }
            if (shardSize < 1) {
                throw new IllegalArgumentException("shard size must be >= 1, was " + shardSize);
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0, was " + threads);
            }
        }

        public static Options of(long seed, long count, Path out) {
            return new Options(seed, count, out, 1000, 0, WorldSample.Mix.DEFAULT, false);
        }

        public int threadCount() {
            return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        }
    }

    /** What was written and how fast. */
    public record Summary(long records, long images, int shards, double seconds, int threads) {
        public double imagesPerSecond() {
            return images / Math.max(1e-9, seconds);
        }

        public double recordsPerSecond() {
            return records / Math.max(1e-9, seconds);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d records, %d images, %d shards in %.1f s on %d threads: "
                    + "%.0f images/s, %.0f records/s", records, images, shards, seconds, threads,
                    imagesPerSecond(), recordsPerSecond());
        }
    }

    private record Built(WorldSample sample, List<Rendered> images) { }

    private WorldWriter() { }

    public static Summary write(Options o) throws IOException {
        return write(o, System.err);
    }

    public static Summary write(Options o, PrintStream progressOut) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(o.out());
        int threads = o.threadCount();
        ForkJoinPool pool = new ForkJoinPool(threads);
        ProgressBar bar = o.progress() ? new ProgressBarBuilder().setTaskName("world").setInitialMax(o.count())
                .setUnit(" records", 1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(progressOut)).build() : null;
        List<ObjectNode> shards = new ArrayList<>();
        long images = 0;
        try {
            int shardCount = (int) ((o.count() + o.shardSize() - 1) / o.shardSize());
            for (int k = 0; k < shardCount; k++) {
                long from = (long) k * o.shardSize();
                long to = Math.min(o.count(), from + o.shardSize());
                List<Built> built = pool.submit(() -> LongStream.range(from, to).parallel().mapToObj(i -> {
                    WorldSample s = WorldSample.generate(o.seed(), i, o.mix());
                    Built b = new Built(s, s.render());
                    if (bar != null) {
                        bar.step();
                    }
                    return b;
                }).toList()).get();
                String name = String.format(Locale.ROOT, "shard-%05d", k);
                int n = writeShard(o.out(), name, built);
                images += n;
                ObjectNode sh = JSON.createObjectNode();
                sh.put("name", name);
                sh.put("records", built.size());
                sh.put("images", n);
                shards.add(sh);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
        } finally {
            pool.shutdown();
            if (bar != null) {
                bar.close();
            }
        }
        writeSide(o, shards, images);
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Summary(o.count(), images, shards.size(), secs, threads);
    }

    private static int writeShard(Path dir, String name, List<Built> built) throws IOException {
        int n = built.stream().mapToInt(b -> b.images().size()).sum();
        int side = Renderer.SIZE;
        Path img = dir.resolve(name + ".images.npy");
        Path map = dir.resolve(name + ".maps.npy");
        Path jsonl = dir.resolve(name + ".jsonl");
        Path imgTmp = dir.resolve(name + ".images.npy.part");
        Path mapTmp = dir.resolve(name + ".maps.npy.part");
        Path jsonlTmp = dir.resolve(name + ".jsonl.part");
        try (OutputStream oi = new BufferedOutputStream(Files.newOutputStream(imgTmp), 1 << 20);
             OutputStream om = new BufferedOutputStream(Files.newOutputStream(mapTmp), 1 << 20);
             OutputStream oj = new BufferedOutputStream(Files.newOutputStream(jsonlTmp), 1 << 16)) {
            Npy.writeHeader(oi, n, side, side, 3);
            Npy.writeHeader(om, n, side, side);
            byte[] buf = new byte[side * side * 3];
            int row = 0;
            for (Built b : built) {
                List<Integer> rows = new ArrayList<>();
                for (Rendered r : b.images()) {
                    r.copyRgbTo(buf, 0);
                    oi.write(buf);
                    om.write(r.labels());
                    rows.add(row++);
                }
                oj.write(JSON.writeValueAsBytes(record(b.sample(), rows)));
                oj.write('\n');
            }
        }
        Files.move(imgTmp, img, StandardCopyOption.REPLACE_EXISTING);
        Files.move(mapTmp, map, StandardCopyOption.REPLACE_EXISTING);
        Files.move(jsonlTmp, jsonl, StandardCopyOption.REPLACE_EXISTING);
        return n;
    }

    private static void writeSide(Options o, List<ObjectNode> shards, long images) throws IOException {
        ObjectMapper pretty = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode m = pretty.createObjectNode();
        m.put("format", FORMAT);
        m.put("version", VERSION);
        m.put("seed", o.seed());
        m.put("records", o.count());
        m.put("images", images);
        m.put("image_size", Renderer.SIZE);
        m.put("shard_size", o.shardSize());
        ObjectNode mix = m.putObject("mix");
        mix.put("stories", o.mix().stories());
        mix.put("pairs", o.mix().pairs());
        mix.put("scenes", Math.max(0, Math.round((1 - o.mix().stories() - o.mix().pairs()) * 1e9) / 1e9));
        ArrayNode sh = m.putArray("shards");
        shards.forEach(sh::add);
        m.put("vocab_size", Vocabulary.size());
        ObjectNode attrs = m.putObject("attributes");
        words(attrs.putArray("classes"), ObjectClass.values(), ObjectClass::word);
        words(attrs.putArray("colours"), Colour.values(), Colour::word);
        words(attrs.putArray("sizes"), Size.values(), Size::word);
        words(attrs.putArray("positions"), Position.values(), Position::phrase);
        words(attrs.putArray("backgrounds"), Background.values(), Background::word);
        words(attrs.putArray("styles"), Style.values(), Style::id);
        ObjectNode gr = m.putObject("grammar");
        words(gr.putArray("sizes"), Size.values(), Size::word);
        words(gr.putArray("colours"), Colour.values(), Colour::word);
        words(gr.putArray("classes"), ObjectClass.values(), ObjectClass::word);
        words(gr.putArray("places"), Position.values(), Position::phrase);
        words(gr.putArray("backgrounds"), Background.values(), Background::phrase);
        words(gr.putArray("styles"), Style.values(), Style::phrase);
        m.set("palette", Palette.toJson(pretty).get("classes"));
        Files.writeString(o.out().resolve("manifest.json"), pretty.writeValueAsString(m) + "\n",
                StandardCharsets.UTF_8);
        Files.writeString(o.out().resolve("tokenizer.json"), Vocabulary.tokenizerJson(), StandardCharsets.UTF_8);
        Files.writeString(o.out().resolve("palette.json"), Palette.json(), StandardCharsets.UTF_8);
    }

    private static <E> void words(ArrayNode a, E[] values, java.util.function.Function<E, String> f) {
        for (E e : values) {
            a.add(f.apply(e));
        }
    }

    /** The JSON record of a sample whose pictures are at {@code rows} of the shard's arrays. */
    static ObjectNode record(WorldSample s, List<Integer> rows) {
        ObjectNode r = JSON.createObjectNode();
        r.put("index", s.index());
        r.put("kind", s.kind().id());
        ArrayNode im = r.putArray("images");
        rows.forEach(im::add);
        ArrayNode caps = r.putArray("captions");
        ArrayNode capTok = r.putArray("caption_tokens");
        for (Caption c : s.captions()) {
            caps.add(c.text());
            tokens(capTok.addArray(), c.text());
        }
        if (s.story() != null) {
            ArrayNode sen = r.putArray("sentences");
            ArrayNode senTok = r.putArray("sentence_tokens");
            for (Sentence x : s.story().sentences()) {
                sen.add(x.text());
                tokens(senTok.addArray(), x.text());
            }
        }
        ArrayNode scenes = r.putArray("scenes");
        for (Scene sc : s.scenes()) {
            scenes.add(scene(sc));
        }
        if (s.story() != null) {
            ArrayNode ev = r.putArray("events");
            Story st = s.story();
            ev.addNull();
            for (int k = 1; k < st.scenes().size(); k++) {
                ev.add(event(st, k));
            }
        }
        return r;
    }

    private static void tokens(ArrayNode a, String text) {
        for (int id : Vocabulary.encode(text)) {
            a.add(id);
        }
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static ObjectNode scene(Scene sc) {
        ObjectNode n = JSON.createObjectNode();
        n.put("background", sc.background().word());
        n.put("style", sc.style().id());
        ArrayNode objs = n.putArray("objects");
        for (SceneObject o : sc.objects()) {
            ObjectNode j = objs.addObject();
            j.put("id", o.id());
            j.put("class", o.cls().word());
            j.put("class_id", o.cls().classId());
            j.put("colour", o.colour().word());
            j.put("size", o.size().word());
            j.put("position", o.position().phrase());
            j.put("x", round2(o.x()));
            j.put("y", round2(o.y()));
            j.put("radius", o.radius());
            j.put("tilt", round2(o.tilt()));
            j.put("mirrored", o.mirrored());
        }
        return n;
    }

    private static ObjectNode event(Story st, int k) {
        Event e = st.event(k);
        int id = st.subjects().get(k);
        ObjectNode n = JSON.createObjectNode();
        n.put("type", e.type().id());
        n.put("object", id);
        n.put("pronoun", e.subject() != null && e.subject().pronoun());
        SceneObject before = st.scenes().get(k - 1).byId(id);
        SceneObject after = st.scenes().get(k).byId(id);
        switch (e.type()) {
            case MOVE -> {
                n.put("from", before.position().phrase());
                n.put("to", after.position().phrase());
            }
            case BECOME -> {
                n.put("from", before.colour().word());
                n.put("to", after.colour().word());
            }
            case GROW, SHRINK -> {
                n.put("from", before.size().word());
                n.put("to", after.size().word());
            }
            case APPEAR -> n.put("to", after.position().phrase());
            case DISAPPEAR -> n.put("from", before.position().phrase());
        }
        return n;
    }
}
