package dev.weft.engine.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.engine.cli.WeftCli;
import dev.weft.engine.testing.NativeTests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code weft eval} end to end on the tiny (untrained) model with one sample and two denoising steps. */
class EvalCommandTest {
    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void printsTheTableAndWritesJson(@TempDir Path tmp) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path json = tmp.resolve("eval.json");
        int rc = WeftCli.execute(new String[] {"eval", "--count", "1", "--steps", "2", "--model", "../assets/tiny",
                "--evaluator", EvalNetParityTest.SHIPPED.toString(), "--json", json.toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));
        System.out.print(out);
        assertEquals(0, rc, err.toString());
        String table = out.toString();
        for (EvalRunner.Metric m : EvalRunner.Metric.values()) {
            assertTrue(table.contains(m.label), m.label);
        }
        assertTrue(table.contains("MMFS off") && table.contains("ground truth") && table.contains("random"));
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals("tiny", j.get("model").asText());
        JsonNode seg = j.get("metrics").get("segment->image mIoU");
        assertTrue(seg.get("ground truth").asDouble() > 0.9);
        assertTrue(seg.get("MMFS off").isNumber());
        assertTrue(j.get("metrics").get("text->image class accuracy").get("MMFS off").isNull());
        // one sample: no bootstrap spread to give, but every metric has its row of standard errors
        JsonNode se = j.get("standard_errors");
        for (EvalRunner.Metric m : EvalRunner.Metric.values()) {
            assertTrue(se.has(m.task + " " + m.label), m.label);
        }
        assertTrue(se.get("segment->image mIoU").get("model").isNull());
    }

    @Test
    void refusesATrainingSeed() {
        StringWriter err = new StringWriter();
        int rc = WeftCli.execute(new String[] {"eval", "--seed", "5", "--model", "../assets/tiny"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertEquals(WeftCli.BAD_INPUT, rc);
        assertTrue(err.toString().contains(">= 1000"), err.toString());
    }
}
