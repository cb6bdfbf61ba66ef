package org.cnnexplain.testutil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the little-endian float32 .npy goldens written by src/test/python/golden_io.py. */
public record Npy(long[] shape, float[] data) {

    public static Npy read(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            if (b.get() != (byte) 0x93 || b.get() != 'N') {
                throw new IllegalArgumentException(file + " is not a .npy file");
            }
            b.position(6);
            int major = b.get();
            b.get();
            int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
            byte[] h = new byte[headerLen];
            b.get(h);
            String header = new String(h, StandardCharsets.US_ASCII);
            if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
                throw new IllegalArgumentException(file + ": expected little-endian float32 in C order: " + header);
            }
            Matcher m = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
            if (!m.find()) {
                throw new IllegalArgumentException(file + ": no shape in header");
            }
            long[] shape = java.util.Arrays.stream(m.group(1).split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            float[] data = new float[(int) n];
            b.asFloatBuffer().get(data);
            return new Npy(shape, data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
