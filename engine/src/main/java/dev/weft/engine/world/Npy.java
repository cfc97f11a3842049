package dev.weft.engine.world;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The header of an uncompressed NumPy {@code .npy} file (format 1.0), for C-ordered uint8 arrays. */
final class Npy {
    private Npy() { }

    /** Magic, version, header length, and the header dict padded with spaces to a multiple of 64 bytes. */
    static byte[] header(long... shape) {
        String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        if (shape.length == 1) {
            dims += ",";
        }
        String dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = 10 + dict.length() + 1;
        String h = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        byte[] hb = h.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[10 + hb.length];
        out[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(StandardCharsets.US_ASCII), 0, out, 1, 5);
        out[6] = 1;
        out[7] = 0;
        out[8] = (byte) (hb.length & 0xFF);
        out[9] = (byte) (hb.length >> 8);
        System.arraycopy(hb, 0, out, 10, hb.length);
        return out;
    }

    static void writeHeader(OutputStream out, long... shape) throws IOException {
        out.write(header(shape));
    }
}
