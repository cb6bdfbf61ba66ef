// cnn-explain: the preferred inputs of a layer's strongest channels, as a montage.
//
// Interactive: open an image (its strongest channels are chosen), then run this macro.
// Scripted:    runMacro("maximize_montage.ijm", "image=[/data/cell.tif] model=[/data/demo.onnx] layer=block4 top=8 steps=128 output=[/data/preferred.png]");
//
// Finds the `top` channels (default 8) of `layer` most active on the image, synthesises for each
// the input that maximises it (Plugins › CNN Explain › Activation Maximisation, default regularisers),
// shows the montage (each tile labelled with its channel and the activation reached) and saves it
// when `output` is given. The Log lists, per channel, the activation reached and the largest on the image.

args = getArgument();
image = value(args, "image", "");
model = value(args, "model", "");
layer = value(args, "layer", "auto");
top = value(args, "top", "8");
steps = value(args, "steps", "128");
seed = value(args, "seed", "0");
output = value(args, "output", "");
if (image != "") open(image);
if (nImages == 0) exit("Open an image first: its strongest channels are the ones shown");
if (model == "") model = File.openDialog("Model (.onnx)");

run("Activation Maximisation", "model=[" + model + "] objective=channel layer=[" + layer + "] channels=[] top=" + top
    + " steps=" + steps + " seed=" + seed + " normalize=model device=auto");
// the command opens the synthesised stack and, last, its montage
if (output != "") saveAs("PNG", output);

function value(options, key, fallback) {
    return call("ij.Macro.getValue", options, key, fallback);
}
