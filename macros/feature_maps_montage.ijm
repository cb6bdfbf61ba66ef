// cnn-explain: the feature maps of one layer as a montage.
//
// Interactive: open an image, then run this macro.
// Scripted:    runMacro("feature_maps_montage.ijm", "image=[/data/cell.tif] model=[/data/demo.onnx] layer=block2 top=16 output=[/data/montage.png]");
//
// Sorts the layer's channels by their maximum activation and keeps the strongest
// `top` (default 16); shows the montage, and saves it when `output` is given.

args = getArgument();
image = value(args, "image", "");
model = value(args, "model", "");
layer = value(args, "layer", "auto");
top = value(args, "top", "16");
output = value(args, "output", "");
if (image != "") open(image);
if (nImages == 0) exit("Open an image first");
if (model == "") model = File.openDialog("Model (.onnx)");

run("Feature Maps", "model=[" + model + "] layer=[" + layer + "] channels=[] sort=max top=" + top
    + " normalize=model device=auto");
// Feature Maps opens the stack of maps and, last, its montage
if (output != "") saveAs("PNG", output);

function value(options, key, fallback) {
    return call("ij.Macro.getValue", options, key, fallback);
}
