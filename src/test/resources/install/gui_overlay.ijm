// Run by ImageJ1InstallTest with ImageJ's window (java -jar ij.jar -ijpath DIR -macro gui_overlay.ijm ARGS):
// Grad-CAM from the menu command on a shown image, captures of the image window before and after (with the overlay).
// ARGS: image=[...] model=[...] output=[...]
args = getArgument();
image = call("ij.Macro.getValue", args, "image", "");
model = call("ij.Macro.getValue", args, "model", "");
out = call("ij.Macro.getValue", args, "output", "");
open(image);
id = getImageID();
run("Set... ", "zoom=300");
capture("gui-before.png");
run("Grad-CAM", "model=[" + model + "] layer=block4 target=mitotic variant=gradcam lut=inferno opacity=0.6 device=cpu");
if (getImageID() != id) close();
capture("gui-overlay.png");
close("*");
File.saveString("done", out + "/gui-done.txt");
run("Quit");

function capture(name) {
    selectImage(id);
    wait(800);
    run("Capture Image");
    saveAs("PNG", out + "/" + name);
    close();
    selectImage(id);
}
