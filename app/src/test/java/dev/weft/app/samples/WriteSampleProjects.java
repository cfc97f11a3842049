package dev.weft.app.samples;

import dev.weft.app.project.Project;
import dev.weft.app.project.ProjectFile;
import dev.weft.app.testing.Fx;
import dev.weft.app.testing.SmallEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Writes the sample projects ({@link SampleProjects}) on the bundled model. Skipped unless
 * {@code -Dweft.samples.out=DIR} is given (relative to {@code app/}):
 *
 * <pre>./mvnw -q -B -o test -pl app -Dtest=WriteSampleProjects -Dweft.samples.out=../samples</pre>
 */
class WriteSampleProjects {
    @TempDir
    Path config;

    @Test
    void write() throws Exception {
        String out = System.getProperty("weft.samples.out");
        assumeTrue(out != null && !out.isBlank(), "set -Dweft.samples.out=DIR to write the sample projects");
        Fx.start();
        Path dir = Path.of(out);
        Files.createDirectories(dir);
        var studio = SampleProjects.studio(SmallEngine.get(), SmallEngine.DIR, config);
        long t0 = System.nanoTime();
        for (Path f : SampleProjects.writeAll(studio, dir, System.out::println)) {
            Project p = ProjectFile.read(f);
            System.out.printf("wrote %s: %d cells, %,d bytes%n", f.normalize(), p.cells().size(), Files.size(f));
        }
        System.out.printf("in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
