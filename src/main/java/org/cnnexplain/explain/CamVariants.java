package org.cnnexplain.explain;

import java.util.List;
import java.util.Locale;
import org.cnnexplain.UserError;

/** The Grad-CAM family by the names the {@code variant} parameter accepts. */
public final class CamVariants {

    public static final List<String> NAMES = List.of("gradcam", "gradcampp", "xgradcam", "layercam", "hirescam",
            "eigencam", "scorecam", "smoothgradcampp");

    private CamVariants() {
    }

    public static CamMethod byName(String name, int scoreCamBatch) {
        return byName(name, scoreCamBatch, Smoothing.NONE);
    }

    /** The variant, eigensmoothed when {@code s} says; Smooth Grad-CAM++ takes its copies, noise and seed from s. */
    public static CamMethod byName(String name, int scoreCamBatch, Smoothing s) {
        return plain(name, scoreCamBatch, s).eigenSmooth(s.eigensmooth());
    }

    private static CamMethod plain(String name, int scoreCamBatch, Smoothing s) {
        return switch (name == null ? "gradcam" : name.trim().toLowerCase(Locale.ROOT)) {
            case "gradcam" -> new GradCam();
            case "gradcampp" -> new GradCamPlusPlus();
            case "xgradcam" -> new XGradCam();
            case "layercam" -> new LayerCam();
            case "hirescam" -> new HiResCam();
            case "eigencam" -> new EigenCam();
            case "scorecam" -> new ScoreCam(scoreCamBatch);
            case "smoothgradcampp" -> new SmoothGradCamPlusPlus(s.samples(), s.noise(), s.seed());
            default -> throw new UserError("unknown variant '" + name + "' (valid: " + String.join(", ", NAMES) + ")");
        };
    }
}
