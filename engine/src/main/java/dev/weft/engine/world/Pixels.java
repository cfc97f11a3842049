package dev.weft.engine.world;

/** Small raster helpers on packed 0xRRGGBB ints and float planes (0..255), and a seeded value noise. */
final class Pixels {
    private Pixels() { }

    static int r(int rgb) {
        return (rgb >> 16) & 0xFF;
    }

    static int g(int rgb) {
        return (rgb >> 8) & 0xFF;
    }

    static int b(int rgb) {
        return rgb & 0xFF;
    }

    static int rgb(double r, double g, double b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    static int clamp(double v) {
        return v <= 0 ? 0 : v >= 255 ? 255 : (int) Math.round(v);
    }

    /** (1 - t) a + t b per channel. */
    static int mix(int a, int b, double t) {
        return rgb(r(a) + t * (r(b) - r(a)), g(a) + t * (g(b) - g(a)), b(a) + t * (b(b) - b(a)));
    }

    static int scale(int a, double f) {
        return rgb(r(a) * f, g(a) * f, b(a) * f);
    }

    /** The darker shade details are drawn in. */
    static int shade(int a) {
        return Math.max(r(a), Math.max(g(a), b(a))) > 235 && Math.min(r(a), Math.min(g(a), b(a))) > 200
                ? scale(a, 0.72) : scale(a, 0.6);
    }

    static float[][] planes(int[] rgb) {
        float[][] p = new float[3][rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            p[0][i] = r(rgb[i]);
            p[1][i] = g(rgb[i]);
            p[2][i] = b(rgb[i]);
        }
        return p;
    }

    static int[] pack(float[][] p) {
        int[] out = new int[p[0].length];
        for (int i = 0; i < out.length; i++) {
            out[i] = rgb(p[0][i], p[1][i], p[2][i]);
        }
        return out;
    }

    /** In-place box blur of radius {@code rad} (window 2 rad + 1), edges clamped, {@code passes} times. */
    static void blur(float[] a, int w, int h, int rad, int passes) {
        float[] tmp = new float[Math.max(w, h)];
        float inv = 1f / (2 * rad + 1);
        for (int pass = 0; pass < passes; pass++) {
            for (int y = 0; y < h; y++) {
                int o = y * w;
                float s = 0;
                for (int k = -rad; k <= rad; k++) {
                    s += a[o + Math.min(w - 1, Math.max(0, k))];
                }
                for (int x = 0; x < w; x++) {
                    tmp[x] = s * inv;
                    s += a[o + Math.min(w - 1, x + rad + 1)] - a[o + Math.max(0, x - rad)];
                }
                System.arraycopy(tmp, 0, a, o, w);
            }
            for (int x = 0; x < w; x++) {
                float s = 0;
                for (int k = -rad; k <= rad; k++) {
                    s += a[Math.min(h - 1, Math.max(0, k)) * w + x];
                }
                for (int y = 0; y < h; y++) {
                    tmp[y] = s * inv;
                    s += a[Math.min(h - 1, y + rad + 1) * w + x] - a[Math.max(0, y - rad) * w + x];
                }
                for (int y = 0; y < h; y++) {
                    a[y * w + x] = tmp[y];
                }
            }
        }
    }

    /** A hash of three longs to [0, 1). */
    static double hash01(long seed, long x, long y) {
        long h = seed * 0x9E3779B97F4A7C15L + x * 0xC2B2AE3D27D4EB4FL + y * 0x165667B19E3779F9L;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53;
    }

    /** Smooth value noise in [0, 1) with features about {@code cell} pixels wide. */
    static double noise(long seed, double x, double y, double cell) {
        double fx = x / cell;
        double fy = y / cell;
        long ix = (long) Math.floor(fx);
        long iy = (long) Math.floor(fy);
        double tx = fx - ix;
        double ty = fy - iy;
        tx = tx * tx * (3 - 2 * tx);
        ty = ty * ty * (3 - 2 * ty);
        double a = hash01(seed, ix, iy);
        double b = hash01(seed, ix + 1, iy);
        double c = hash01(seed, ix, iy + 1);
        double d = hash01(seed, ix + 1, iy + 1);
        return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }

    /** {@link #noise} at every pixel of a w x h image (the lattice hashed once, not per pixel). */
    static float[] noiseField(long seed, int w, int h, double cell) {
        int gw = (int) Math.ceil(w / cell) + 2;
        int gh = (int) Math.ceil(h / cell) + 2;
        double[] lat = new double[gw * gh];
        for (int gy = 0; gy < gh; gy++) {
            for (int gx = 0; gx < gw; gx++) {
                lat[gy * gw + gx] = hash01(seed, gx, gy);
            }
        }
        int[] ix = new int[w];
        double[] tx = new double[w];
        for (int x = 0; x < w; x++) {
            double fx = x / cell;
            ix[x] = (int) Math.floor(fx);
            double t = fx - ix[x];
            tx[x] = t * t * (3 - 2 * t);
        }
        float[] f = new float[w * h];
        for (int y = 0; y < h; y++) {
            double fy = y / cell;
            int iy = (int) Math.floor(fy);
            double ty = fy - iy;
            ty = ty * ty * (3 - 2 * ty);
            int row = iy * gw;
            for (int x = 0; x < w; x++) {
                int o = row + ix[x];
                double t = tx[x];
                double top = lat[o] + (lat[o + 1] - lat[o]) * t;
                double bottom = lat[o + gw] + (lat[o + gw + 1] - lat[o + gw]) * t;
                f[y * w + x] = (float) (top + (bottom - top) * ty);
            }
        }
        return f;
    }

    /** Smooth 1-D value noise in [0, 1) along {@code v} for line {@code line} (features about {@code cell}). */
    static double noise1(long seed, long line, double v, double cell) {
        double fv = v / cell;
        long iv = (long) Math.floor(fv);
        double t = fv - iv;
        t = t * t * (3 - 2 * t);
        double a = hash01(seed, line, iv);
        return a + (hash01(seed, line, iv + 1) - a) * t;
    }
}
