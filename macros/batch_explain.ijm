// cnn-explain batch macro: a folder of images in; Grad-CAM maps, images with
// their heatmap overlay, and a predictions table out.
//
// Interactive: Plugins > Macros > Run..., then choose the folders and the model.
// Scripted:    runMacro("batch_explain.ijm", "input=[/data/in] output=[/data/out] model=[/data/demo.onnx] layer=auto target=top1");
//
// Writes, for every image <stem>.tif in the input folder:
//   <stem>_gradcam.tif   raw 32-bit Grad-CAM map at image resolution
//   <stem>_overlay.tif   the input image with the Grad-CAM overlay kept (open it in ImageJ to see it)
// and predictions.csv with one row per image and plane.

args = getArgument();
input = value(args, "input", "");
output = value(args, "output", "");
model = value(args, "model", "");
layer = value(args, "layer", "auto");
target = value(args, "target", "top1");
if (input == "") input = getDirectory("Folder with images to explain");
if (output == "") output = getDirectory("Folder for the results");
if (model == "") model = File.openDialog("Model (.onnx)");
if (!endsWith(input, File.separator)) input = input + File.separator;
if (!endsWith(output, File.separator)) output = output + File.separator;

setBatchMode(true);
csv = output + "predictions.csv";
if (File.exists(csv)) exit("predictions.csv already exists in " + output + "; choose an empty folder");
File.saveString("image,slice,predicted,probability\n", csv);
files = getFileList(input);
for (i = 0; i < files.length; i++) {
    if (!endsWith(toLowerCase(files[i]), ".tif") && !endsWith(toLowerCase(files[i]), ".tiff")) continue;
    open(input + files[i]);
    id = getImageID();
    stem = File.getNameWithoutExtension(files[i]);

    run("Predict", "model=[" + model + "] normalize=model device=auto");
    for (r = 0; r < nResults; r++)
        File.append(files[i] + "," + getResult("Slice", r) + "," + getResultString("Predicted", r) + ","
            + d2s(getResult("Probability", r), 6), csv);

    selectImage(id);
    run("Grad-CAM", "model=[" + model + "] layer=[" + layer + "] target=[" + target
        + "] variant=gradcam lut=inferno opacity=0.5 normalize=model device=auto");
    if (getImageID() != id) {           // the result stack is the new active image
        saveAs("Tiff", output + stem + "_gradcam.tif");
        close();
    }
    selectImage(id);
    saveAs("Tiff", output + stem + "_overlay.tif");
    close();
}
setBatchMode(false);

// key=value or key=[value with spaces] from the macro argument, as ImageJ reads dialog options
function value(options, key, fallback) {
    return call("ij.Macro.getValue", options, key, fallback);
}
