package dev.weft.engine.world;

import org.junit.jupiter.api.Test;

import java.awt.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Segmentation maps agree with the rendered objects; styles are told apart by simple image statistics. */
class WorldRenderTest {
    private static final int S = Renderer.SIZE;

    /** Which object (index, or -1) covers each pixel centre, topmost first, by the geometry alone. */
    private static int[] cover(Scene s, double side, int scale) {
        int[] out = new int[S * S];
        List<Shape> shapes = new ArrayList<>();
        for (SceneObject o : s.objects()) {
            shapes.add(o.silhouette(side));
        }
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                double px = x / scale + 0.5;
                double py = y / scale + 0.5;
                out[y * S + x] = -1;
                for (int j = shapes.size() - 1; j >= 0; j--) {
                    if (shapes.get(j).contains(px, py)) {
                        out[y * S + x] = j;
                        break;
                    }
                }
            }
        }
        return out;
    }

    @Test
    void labelsAreTheObjectsSilhouettes() {
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 60; i++) {
            Scene s = WorldGenerator.scene(r, 1, Scene.MAX_OBJECTS);
            for (Style st : Style.values()) {
                Scene sc = s.withStyle(st);
                Rendered rd = Renderer.render(sc);
                boolean grid = st == Style.PIXEL;
                int[] cov = grid ? cover(sc, Renderer.PIXEL_GRID, Renderer.PIXEL_SCALE) : cover(sc, S, 1);
                int[] want = new int[S * S];
                for (int p = 0; p < S * S; p++) {
                    want[p] = cov[p] < 0 ? 0 : sc.objects().get(cov[p]).cls().classId();
                }
                // each label is the class of the silhouette under the pixel, or of one within `reach` pixels
                // (edge pixels; watercolour warps edges by up to ~2 px on purpose, its labels follow the warped
                // paint; a pixel-art cell is 3 px)
                int reach = st == Style.WATERCOLOUR || st == Style.PIXEL ? 3 : 1;
                int agree = 0;
                int labelled = 0;
                for (int y = 0; y < S; y++) {
                    for (int x = 0; x < S; x++) {
                        int p = y * S + x;
                        int got = rd.labels()[p] & 0xFF;
                        labelled += got != 0 ? 1 : 0;
                        if (got == want[p]) {
                            agree++;
                        } else {
                            assertTrue(near(want, x, y, reach, got), st + " scene " + i + ": label " + got
                                    + " at (" + x + ", " + y + ") is not on or next to such a silhouette");
                        }
                    }
                }
                double share = agree / (double) (S * S);
                double need = st == Style.WATERCOLOUR ? 0.96 : 0.995;
                assertTrue(share >= need, st + " scene " + i + ": labels agree with silhouettes on " + share);
                assertTrue(labelled > 0, "objects are labelled");
                for (SceneObject o : sc.objects()) {
                    int k = o.cls().classId();
                    int n = 0;
                    for (byte b : rd.labels()) {
                        n += (b & 0xFF) == k ? 1 : 0;
                    }
                    double area = Math.PI * o.radius() * o.radius();
                    assertTrue(n > 0.15 * area, st + ": " + o.cls() + " visible in the map (" + n + " px)");
                }
            }
        }
    }

    private static boolean near(int[] want, int x, int y, int reach, int label) {
        for (int dy = -reach; dy <= reach; dy++) {
            for (int dx = -reach; dx <= reach; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx >= 0 && yy >= 0 && xx < S && yy < S && want[yy * S + xx] == label) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code p} is the colour, its shade, or an anti-aliased mix of the two (details' edges). */
    private static boolean ownColour(int p, int colour) {
        int shade = Pixels.shade(colour);
        int[] a = {Pixels.r(colour), Pixels.g(colour), Pixels.b(colour)};
        int[] b = {Pixels.r(shade), Pixels.g(shade), Pixels.b(shade)};
        int[] v = {Pixels.r(p), Pixels.g(p), Pixels.b(p)};
        int k = 0;
        for (int c = 1; c < 3; c++) {
            if (Math.abs(a[c] - b[c]) > Math.abs(a[k] - b[k])) {
                k = c;
            }
        }
        double t = a[k] == b[k] ? 0 : (v[k] - a[k]) / (double) (b[k] - a[k]);
        if (t < -0.01 || t > 1.01) {
            return false;
        }
        for (int c = 0; c < 3; c++) {
            if (Math.abs(a[c] + t * (b[c] - a[c]) - v[c]) > 2.5) {
                return false;
            }
        }
        return true;
    }

    @Test
    void flatPixelsOfAnObjectHaveItsColour() {
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < 80; i++) {
            Scene s = WorldGenerator.scene(r, 1, Scene.MAX_OBJECTS).withStyle(Style.FLAT);
            Rendered rd = Renderer.render(s);
            int[] cov = cover(s, S, 1);
            for (int j = 0; j < s.objects().size(); j++) {
                SceneObject o = s.objects().get(j);
                int inside = 0;
                int own = 0;
                for (int y = 1; y < S - 1; y++) {
                    for (int x = 1; x < S - 1; x++) {
                        if (!interior(cov, x, y, j)) {
                            continue;
                        }
                        inside++;
                        int px = rd.rgb()[y * S + x];
                        own += ownColour(px, o.colour().rgb()) ? 1 : 0;
                        assertEquals(o.cls().classId(), rd.labels()[y * S + x] & 0xFF);
                    }
                }
                assertTrue(inside > 0);
                assertEquals(inside, own, o + ": interior pixels in its colour");
            }
        }
    }

    private static boolean interior(int[] cov, int x, int y, int j) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                if (cov[(y + dy) * S + x + dx] != j) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void renderingIsAPureFunctionOfTheScene() {
        Scene s = WorldGenerator.scene(new SplittableRandom(2), 3, 3);
        for (Style st : Style.values()) {
            Rendered a = Renderer.render(s.withStyle(st));
            Rendered b = Renderer.render(s.withStyle(st));
            assertArrayEquals(a.rgb(), b.rgb(), st.id());
            assertArrayEquals(a.labels(), b.labels(), st.id());
        }
    }

    @Test
    void pixelArtIsBlockyWithAFewColours() {
        SplittableRandom r = new SplittableRandom(6);
        for (int i = 0; i < 20; i++) {
            Rendered rd = Renderer.render(WorldGenerator.scene(r, 1, 3).withStyle(Style.PIXEL));
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < S; y++) {
                for (int x = 0; x < S; x++) {
                    int p = rd.rgb()[y * S + x];
                    colours.add(p);
                    int bx = x - x % Renderer.PIXEL_SCALE;
                    int by = y - y % Renderer.PIXEL_SCALE;
                    assertEquals(rd.rgb()[by * S + bx], p, "3x3 cells");
                    assertEquals(rd.labels()[by * S + bx], rd.labels()[y * S + x], "labels follow the cells");
                }
            }
            assertTrue(colours.size() <= 24, colours.size() + " colours");
        }
    }

    /** Features a tiny classifier can use: brightness, saturation, darkness, local contrast, blockiness, colours. */
    private static double[] features(Rendered rd) {
        int[] px = rd.rgb();
        double lum = 0;
        double sat = 0;
        double dark = 0;
        double hf = 0;
        double block = 0;
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < S - 1; y++) {
            for (int x = 0; x < S - 1; x++) {
                int p = px[y * S + x];
                double l = (Pixels.r(p) + Pixels.g(p) + Pixels.b(p)) / 3.0;
                int mx = Math.max(Pixels.r(p), Math.max(Pixels.g(p), Pixels.b(p)));
                int mn = Math.min(Pixels.r(p), Math.min(Pixels.g(p), Pixels.b(p)));
                lum += l;
                sat += mx == 0 ? 0 : (mx - mn) / (double) mx;
                dark += l < 50 ? 1 : 0;
                int q = px[y * S + x + 1];
                hf += Math.abs(l - (Pixels.r(q) + Pixels.g(q) + Pixels.b(q)) / 3.0);
                block += p == q ? 1 : 0;
                colours.add(p);
            }
        }
        double n = (S - 1) * (S - 1);
        return new double[] {lum / n / 255, sat / n, dark / n, hf / n / 10, block / n, Math.log(colours.size())};
    }

    @Test
    void stylesAreToldApartByANearestCentroidClassifier() {
        int perStyle = 30;
        int nf = 6;
        int ns = Style.values().length;
        double[][] centroid = new double[ns][nf];
        SplittableRandom r = new SplittableRandom(99);
        List<double[]> test = new ArrayList<>();
        List<Integer> truth = new ArrayList<>();
        for (int i = 0; i < 2 * perStyle; i++) {
            Scene s = WorldGenerator.scene(r, 1, Scene.MAX_OBJECTS);
            for (Style st : Style.values()) {
                double[] f = features(Renderer.render(s.withStyle(st)));
                if (i < perStyle) {
                    for (int k = 0; k < nf; k++) {
                        centroid[st.ordinal()][k] += f[k] / perStyle;
                    }
                } else {
                    test.add(f);
                    truth.add(st.ordinal());
                }
            }
        }
        int right = 0;
        for (int t = 0; t < test.size(); t++) {
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < ns; c++) {
                double d = 0;
                for (int k = 0; k < nf; k++) {
                    d += Math.pow(test.get(t)[k] - centroid[c][k], 2);
                }
                if (d < bestD) {
                    bestD = d;
                    best = c;
                }
            }
            right += best == truth.get(t) ? 1 : 0;
        }
        double acc = right / (double) test.size();
        System.out.printf("style classifier (6 image statistics, nearest centroid): %.3f accuracy on %d images%n",
                acc, test.size());
        assertTrue(acc >= 0.95, "styles distinguishable: accuracy " + acc);
    }
}
