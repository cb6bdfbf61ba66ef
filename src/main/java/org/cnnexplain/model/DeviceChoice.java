package org.cnnexplain.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.cnnexplain.UserError;

/**
 * {@code auto} (GPU when DJL finds CUDA, else CPU), {@code cpu} or {@code gpu}.
 *
 * <p>The PyTorch engine is started offline: natives come from the
 * {@code pytorch-native-*} jar on the classpath and are never downloaded, unless
 * the user sets {@code -Dai.djl.offline=false} themselves. oneDNN's kernels are capped at SSE4.1
 * first ({@link OneDnnIsa} says why), freed tensor memory stays for the next tensors ({@link TensorMemory}), and once libtorch is loaded its CPU convolutions are routed
 * to its own kernels instead of oneDNN's ({@link NativeConvolutions}).
 */
public final class DeviceChoice {

    public static final String CHOICES = "auto, cpu, gpu";

    private DeviceChoice() {
    }

    public static Engine engine() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        OneDnnIsa.apply();
        TensorMemory.apply();
        try {
            Engine engine = Engine.getEngine("PyTorch");
            NativeConvolutions.apply();
            return engine;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new UserError("the PyTorch engine did not start (are the pytorch-native jar for this platform"
                    + " and pytorch-jni on the classpath?): " + e.getMessage());
        }
    }

    public static Device resolve(String choice) {
        String c = choice == null ? "auto" : choice.trim().toLowerCase();
        Engine engine = engine();
        return switch (c) {
            case "auto" -> engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (engine.getGpuCount() == 0) {
                    throw new UserError("device=gpu, but DJL finds no CUDA GPU (CPU natives, or no driver);"
                            + " use device=auto or device=cpu");
                }
                yield Device.gpu();
            }
            default -> throw new UserError("unknown device '" + choice + "' (valid: " + CHOICES + ")");
        };
    }
}
