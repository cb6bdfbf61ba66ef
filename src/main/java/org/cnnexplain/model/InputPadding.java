package org.cnnexplain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;
import org.cnnexplain.UserError;

/**
 * An input grown at the bottom and right (and back, in 3-D) to a size the model takes
 * ({@link InputSizes}), by mirroring: {@code a b c d | c b a} (numpy's and torch's {@code reflect}),
 * so the network sees image-like content rather than a black border, and every result
 * cropped back to the image afterwards.
 *
 * <pre>{@code
 * InputPadding p = InputPadding.of(unet, new long[] {1, 1, 37, 50});   // the U-Net takes multiples of 4
 * p.padded();                        // [1, 1, 40, 52]
 * p.keep(new long[] {20, 26});       // [19, 25]: a stride-2 map keeps ceil(37 / 2) x ceil(50 / 2)
 * }</pre>
 *
 * @param original the input's shape (N, C, spatial...)
 * @param padded   the shape the model runs on
 */
public record InputPadding(long[] original, long[] padded) {

    /** The padding {@code model} needs for an input of {@code shape}; {@link #none()} when it takes it as is. */
    public static InputPadding of(ExplainableModel model, long[] shape) {
        if (!model.takesAnySize() || shape.length != model.inputShape().length) {
            return new InputPadding(shape, shape);
        }
        return new InputPadding(shape, model.sizes().padded(shape));
    }

    public boolean none() {
        return Arrays.equals(original, padded);
    }

    /** {@code x} of {@link #original()}, mirrored out to {@link #padded()}. */
    public NDArray pad(NDArray x) {
        NDArray out = x;
        for (int axis = 2; axis < original.length; axis++) {
            long n = original[axis];
            long p = padded[axis] - n;
            if (p == 0) {
                continue;
            }
            if (p > n - 1) {
                throw new UserError("the image is too small for the model: " + n + " pixels along an axis that must"
                        + " be padded to " + padded[axis] + "; give an image of at least " + padded[axis] + " pixels");
            }
            NDIndex tail = new NDIndex().addAllDim(axis).addSliceDim(n - 1 - p, n - 1);
            out = out.concat(out.get(tail).flip(axis), axis);
        }
        return out;
    }

    /**
     * The part of a map of spatial size {@code size} (over the padded input) that covers the image:
     * {@code ceil(original * size / padded)} per axis.
     */
    public long[] keep(long[] size) {
        long[] out = new long[size.length];
        int first = original.length - size.length;
        for (int i = 0; i < size.length; i++) {
            long o = original[first + i];
            long q = padded[first + i];
            out[i] = (o * size[i] + q - 1) / q;
        }
        return out;
    }

    /** {@code y} (N, K, spatial...) over the padded input, cropped to the image; tensors without spatial axes as they are. */
    public NDArray crop(NDArray y) {
        long[] shape = y.getShape().getShape();
        if (none() || shape.length != original.length) {
            return y;
        }
        long[] keep = keep(Arrays.copyOfRange(shape, 2, shape.length));
        NDIndex index = new NDIndex().addAllDim(2);
        for (long k : keep) {
            index.addSliceDim(0, k);
        }
        return y.get(index);
    }
}
