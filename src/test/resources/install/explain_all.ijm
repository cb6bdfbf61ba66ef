// Run by ImageJ1InstallTest in a fresh ImageJ 1 (java -jar ij.jar -ijpath DIR -batch explain_all.ijm ARGS):
// every CNN Explain command on one image, each result saved as <key>_<n>.tif (n = 1, 2, ... for
// every window the command opened), the predictions as predict.csv, the input with its overlay as
// overlay.tif; then the commands that need no open image: Rules over the image's folder (rules.json),
// Neuron Atlas on the open image and Activation Maximisation (their windows saved like the others).
// ARGS: image=[...] model=[...] output=[...] folder=[...]
args = getArgument();
image = call("ij.Macro.getValue", args, "image", "");
model = call("ij.Macro.getValue", args, "model", "");
out = call("ij.Macro.getValue", args, "output", "");
folder = call("ij.Macro.getValue", args, "folder", "");
setBatchMode(true);
open(image);
id = getImageID();
common = "model=[" + model + "] normalize=model device=cpu fit=error";

run("Predict", common);
saveAs("Results", out + "/predict.csv");
explain("gradcam", "Grad-CAM", "layer=block4 target=mitotic score=logit variant=gradcam lut=inferno opacity=0.5");
explain("cam", "CAM", "target=top1 score=logit lut=viridis opacity=0.4");
explain("featuremaps", "Feature Maps", "layer=block2 channels=1,2,5 sort=none top=0");
explain("deconvnet", "Deconvnet", "layer=block3 rule=guided top=4 signal=peak target=top1 score=logit");
selectImage(id);
saveAs("Tiff", out + "/overlay.tif");
explain("atlas", "Neuron Atlas", "folder=[] layer=block4 channels=0,1 top=1 first=0 distinct rule=deconvnet");
explain("maximize", "Activation Maximisation", "objective=class target=mitotic steps=8 seed=0");
run("Rules", "folder=[" + folder + "] " + common + " layer=block4 pool=max depth=2 minleaf=2 folds=2 output=[" + out + "/rules]");
// a user error must be one line in the log, never a dialog (the process would hang)
run("Grad-CAM", "model=[" + out + "/missing.onnx] device=cpu");
print("explain_all done");

function explain(key, command, options) {
    selectImage(id);
    run(command, common + " " + options);
    n = 0;
    for (i = nImages; i >= 1; i--) {   // every window the command opened
        selectImage(i);
        if (getImageID() != id) {
            n++;
            saveAs("Tiff", out + "/" + key + "_" + n + ".tif");
            close();
        }
    }
}
