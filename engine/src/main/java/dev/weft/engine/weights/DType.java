package dev.weft.engine.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Element types a weights file may hold. Every floating type converts to fp32 on read, or to fp16 for a model
 * loaded in {@code Precision.FP16} (BF16 is never computed in: it aborts the JVM on the CPU).
 */
public enum DType {
    F32("F32", 4),
    F16("F16", 2),
    BF16("BF16", 2),
    I64("I64", 8),
    I32("I32", 4);

    private final String tag;
    private final int bytes;

    DType(String tag, int bytes) {
        this.tag = tag;
        this.bytes = bytes;
    }

    /** The dtype string used in safetensors headers. */
    public String tag() {
        return tag;
    }

    public int bytes() {
        return bytes;
    }

    /** Parses a safetensors dtype tag, or returns null when the tag is not one we read. */
    public static DType fromTag(String tag) {
        for (DType d : values()) {
            if (d.tag.equals(tag)) {
                return d;
            }
        }
        return null;
    }

    /** Decodes {@code count} elements from little-endian {@code src} into a new direct fp32 buffer. */
    public ByteBuffer toFloat32(ByteBuffer src, long count) {
        ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
        FloatBuffer f = out.asFloatBuffer();
        switch (this) {
            case F32 -> f.put(in.asFloatBuffer().limit(Math.toIntExact(count)));
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    f.put(halfToFloat(in.getShort(i * 2)));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    f.put(Float.intBitsToFloat((in.getShort(i * 2) & 0xffff) << 16));
                }
            }
            case I64 -> {
                for (int i = 0; i < count; i++) {
                    f.put(in.getLong(i * 8));
                }
            }
            case I32 -> {
                for (int i = 0; i < count; i++) {
                    f.put(in.getInt(i * 4));
                }
            }
            default -> throw new IllegalStateException(this.name());
        }
        return out;
    }

    /**
     * Decodes {@code count} elements from little-endian {@code src} into a new direct fp16 buffer: F16 is copied as
     * stored, other floating types round to nearest even.
     *
     * @throws IllegalArgumentException naming the first finite value beyond fp16's range (it would become infinite)
     */
    public ByteBuffer toFloat16(ByteBuffer src, long count) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(count * 2)).order(ByteOrder.nativeOrder());
        if (this == F16) {
            ByteBuffer in = src.duplicate();
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                out.put(in.position(0).limit(Math.toIntExact(count * 2))).clear(); // as stored, one bulk copy
            } else {
                in.order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < count; i++) {
                    out.putShort(i * 2, in.getShort(i * 2));
                }
            }
            return out;
        }
        FloatBuffer f = this == F32 && src.order() == ByteOrder.nativeOrder() ? src.asFloatBuffer()
                : toFloat32(src, count).asFloatBuffer();
        for (int i = 0; i < count; i++) {
            out.putShort(i * 2, floatToHalfInRange(f.get(i)));
        }
        return out;
    }

    /**
     * {@link #floatToHalf}, refusing a finite value beyond fp16's range (65504), which would become infinite.
     *
     * @throws IllegalArgumentException "value V is beyond the fp16 range"
     */
    public static short floatToHalfInRange(float v) {
        short h = floatToHalf(v);
        if ((h & 0x7fff) == 0x7c00 && !Float.isInfinite(v)) {
            throw new IllegalArgumentException("value " + v + " is beyond the fp16 range");
        }
        return h;
    }

    /** IEEE 754 binary16 to binary32 (Float.float16ToFloat arrives only in Java 20). */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal: normalise
            int e = -1;
            do {
                mant <<= 1;
                e++;
            } while ((mant & 0x400) == 0);
            mant &= 0x3ff;
            return Float.intBitsToFloat(sign | ((127 - 15 - e) << 23) | (mant << 13));
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** binary32 to binary16 with round-to-nearest-even. */
    public static short floatToHalf(float v) {
        int f = Float.floatToRawIntBits(v);
        int sign = (f >>> 16) & 0x8000;
        int exp = ((f >>> 23) & 0xff) - 127 + 15;
        int mant = f & 0x7fffff;
        if (((f >>> 23) & 0xff) == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        if (exp >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (exp <= 0) {
            if (exp < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - exp;
            int half = mant >> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (exp << 10) | (mant >> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }

    /** binary32 to bfloat16 with round-to-nearest-even. */
    public static short floatToBf16(float v) {
        int f = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((f >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((f >>> 16) & 1);
        return (short) ((f + rounding) >>> 16);
    }
}
