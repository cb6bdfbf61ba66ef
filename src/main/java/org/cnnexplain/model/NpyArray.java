package org.cnnexplain.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cnnexplain.UserError;

/**
 * A NumPy {@code .npy} array as float values in C order, the format of bioimage.io test tensors.
 * Format versions 1, 2 and 3 (2- or 4-byte header length); little-, big- and no-endian
 * {@code float32/64, int8/16/32/64, uint8/16/32/64, bool}; C or Fortran order (Fortran
 * arrays are reordered to C order here).
 *
 * <pre>{@code
 * NpyArray t = NpyArray.read(Path.of("test_input.npy"));
 * t.shape();   // [1, 1, 64, 64]
 * t.data();    // 4096 floats, last axis fastest
 * }</pre>
 */
public record NpyArray(long[] shape, float[] data) {

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    public static NpyArray read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserError("cannot read '" + file.getFileName() + "': " + e.getMessage());
        }
        return parse(bytes, file.getFileName().toString());
    }

    static NpyArray parse(byte[] bytes, String name) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || b.get() != (byte) 0x93 || b.get() != 'N' || b.get() != 'U' || b.get() != 'M'
                || b.get() != 'P' || b.get() != 'Y') {
            throw new UserError("'" + name + "' is not a .npy file (no \\x93NUMPY magic)");
        }
        int major = b.get();
        b.get();
        int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
        if (headerLen < 0 || b.position() + headerLen > bytes.length) {
            throw new UserError("'" + name + "': truncated .npy header");
        }
        String header = new String(bytes, b.position(), headerLen, StandardCharsets.ISO_8859_1);
        b.position(b.position() + headerLen);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new UserError("'" + name + "': .npy header without a plain dtype, fortran_order and shape: "
                    + header.trim() + " (structured arrays are not supported)");
        }
        char kind = d.group(2).charAt(0);
        int width = Integer.parseInt(d.group(3));
        b.order(d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long[] shape = Arrays.stream(s.group(1).split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        long n = 1;
        for (long dim : shape) {
            n = Math.multiplyExact(n, dim);
        }
        if (n > Integer.MAX_VALUE || b.remaining() < n * width) {
            throw new UserError("'" + name + "': " + n + " values of " + width + " bytes do not fit the file");
        }
        float[] data = new float[(int) n];
        for (int i = 0; i < n; i++) {
            data[i] = value(b, kind, width, name);
        }
        if (f.group(1).equals("True") && shape.length > 1) {
            data = fortranToC(data, shape);
        }
        return new NpyArray(shape, data);
    }

    private static float value(ByteBuffer b, char kind, int width, String name) {
        return switch (kind) {
            case 'f' -> switch (width) {
                case 4 -> b.getFloat();
                case 8 -> (float) b.getDouble();
                default -> throw unsupported(name, kind, width);
            };
            case 'i' -> switch (width) {
                case 1 -> b.get();
                case 2 -> b.getShort();
                case 4 -> b.getInt();
                case 8 -> b.getLong();
                default -> throw unsupported(name, kind, width);
            };
            case 'u' -> switch (width) {
                case 1 -> Byte.toUnsignedInt(b.get());
                case 2 -> Short.toUnsignedInt(b.getShort());
                case 4 -> Integer.toUnsignedLong(b.getInt());
                case 8 -> unsignedLong(b.getLong());
                default -> throw unsupported(name, kind, width);
            };
            case 'b' -> {
                if (width != 1) {
                    throw unsupported(name, kind, width);
                }
                yield b.get() != 0 ? 1 : 0;
            }
            default -> throw unsupported(name, kind, width);
        };
    }

    private static float unsignedLong(long v) {
        return v >= 0 ? v : (float) (v >>> 1) * 2f;
    }

    private static UserError unsupported(String name, char kind, int width) {
        return new UserError("'" + name + "': .npy dtype '" + kind + width
                + "' is not supported (valid: float32/64, int8-64, uint8-64, bool)");
    }

    /** Fortran order has the first axis fastest; C order the last. */
    private static float[] fortranToC(float[] f, long[] shape) {
        int rank = shape.length;
        float[] c = new float[f.length];
        int[] index = new int[rank];
        for (int i = 0; i < f.length; i++) {   // i walks C order; find the Fortran offset of the same index
            int offset = 0;
            int stride = 1;
            for (int a = 0; a < rank; a++) {
                offset += index[a] * stride;
                stride *= (int) shape[a];
            }
            c[i] = f[offset];
            for (int a = rank - 1; a >= 0; a--) {
                if (++index[a] < shape[a]) {
                    break;
                }
                index[a] = 0;
            }
        }
        return c;
    }
}
