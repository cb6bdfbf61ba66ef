// cnn-explain: Seg-Grad-CAM of a segmentation model (a U-Net) for every region in the ROI Manager.
//
// Interactive: open an image, add regions (nuclei, say) to the ROI Manager, run this macro.
// Scripted:    runMacro("roi_seggradcam.ijm", "image=[/data/cells.tif] model=[/data/unet.onnx] rois=[/data/RoiSet.zip] target=top1 output=[/data/per_roi.tif]");
//
// For each ROI, the explained score is the sum of the target class's output over
// that ROI (target=top1: the class predicted at most of its pixels, background
// excepted). The maps (raw values, one slice per ROI, labelled with the ROI's
// name) go into one stack; the input image is left as it was.

args = getArgument();
image = value(args, "image", "");
model = value(args, "model", "");
rois = value(args, "rois", "");
layer = value(args, "layer", "auto");
target = value(args, "target", "top1");
output = value(args, "output", "");
if (image != "") open(image);
if (nImages == 0) exit("Open an image first");
if (model == "") model = File.openDialog("Segmentation model (.onnx)");
if (rois != "") roiManager("Open", rois);
n = roiManager("count");
if (n == 0) exit("Add the regions to explain to the ROI Manager first");

input = getImageID();
names = newArray(n);
setBatchMode(true);
for (i = 0; i < n; i++) {
    selectImage(input);
    roiManager("select", i);
    name = Roi.getName;
    if (name == "") name = "roi " + (i + 1);
    run("Grad-CAM", "model=[" + model + "] layer=[" + layer + "] target=[" + target + "] variant=gradcam"
        + " lut=inferno opacity=0.5 normalize=model device=auto");
    names[i] = name;
    rename("seggradcam_" + IJ.pad(i, 4));
}
selectImage(input);
run("Select None");
run("Images to Stack", "name=[Seg-Grad-CAM per ROI] title=seggradcam_ use");
for (i = 0; i < n; i++) {
    setSlice(i + 1);
    setMetadata("Label", names[i]);
}
if (output != "") saveAs("Tiff", output);
setBatchMode("exit and display");

function value(options, key, fallback) {
    return call("ij.Macro.getValue", options, key, fallback);
}
