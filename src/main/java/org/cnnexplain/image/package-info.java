/**
 * Pixels to tensors: ImageJ/ImgLib2 images in, normalised float batches
 * (N, C, H, W) out, and maps back to images at input resolution.
 *
 * <p>{@link org.cnnexplain.image.ImagePlusImgs} views an {@code ImagePlus} as a
 * 5-D ImgLib2 image (x, y, c, z, t); {@link org.cnnexplain.image.ChannelMapping}
 * decides which image channel feeds which model channel;
 * {@link org.cnnexplain.image.Normalization} scales each sample (for a
 * bioimage.io package through its {@link org.cnnexplain.image.Preprocessing}
 * steps, which {@link org.cnnexplain.image.PackageCheck} also uses to run the
 * package's own test);
 * {@link org.cnnexplain.image.TensorBatch} lays the z/t planes out as a batch.
 */
package org.cnnexplain.image;
