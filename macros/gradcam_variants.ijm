// cnn-explain: the Grad-CAM family side by side on one image.
//
// Interactive: open an image, then run this macro.
// Scripted:    runMacro("gradcam_variants.ijm", "image=[/data/cell.tif] model=[/data/demo.onnx] layer=auto target=top1 output=[/data/variants.tif]");
//
// Runs Grad-CAM, Grad-CAM++, XGrad-CAM, LayerCAM, HiResCAM, Eigen-CAM and
// Score-CAM at the same layer and target, and puts the maps (each divided by its
// maximum) into one stack labelled by variant, and a montage beside each other.
// The input image is closed at the end (all open images go into the stack).

args = getArgument();
image = value(args, "image", "");
model = value(args, "model", "");
layer = value(args, "layer", "auto");
target = value(args, "target", "top1");
output = value(args, "output", "");
if (image != "") open(image);
if (nImages == 0) exit("Open an image first");
if (model == "") model = File.openDialog("Model (.onnx)");

input = getImageID();
variants = newArray("gradcam", "gradcampp", "xgradcam", "layercam", "hirescam", "eigencam", "scorecam");
setBatchMode(true);
for (i = 0; i < variants.length; i++) {
    selectImage(input);
    run("Grad-CAM", "model=[" + model + "] layer=[" + layer + "] target=[" + target + "] variant=" + variants[i]
        + " lut=inferno opacity=0.5 normalize=model device=auto");
    // each map scaled to its own maximum, so the variants compare by shape, not by units
    getStatistics(area, mean, min, max);
    if (max > 0) run("Divide...", "value=" + d2s(max, -12));   // full precision, not the 4 decimals of "" + max
    rename(variants[i]);
}
selectImage(input);
close();
run("Images to Stack", "name=[Grad-CAM variants] title=[] use");
setMinAndMax(0, 1);
if (output != "") saveAs("Tiff", output);
run("Make Montage...", "columns=" + variants.length + " rows=1 scale=1 label");
setBatchMode("exit and display");

function value(options, key, fallback) {
    return call("ij.Macro.getValue", options, key, fallback);
}
