package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.cnnexplain.model.DeviceChoice;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelSpec;
import org.cnnexplain.model.Layer;

/**
 * One forward pass that records a layer's activations A, and one backward pass
 * from the target score y^c that gives dy^c/dA.
 *
 * <p>The activation is detached where the forward pass produces it and made to
 * require a gradient; the rest of the forward runs from it, so the backward pass
 * stops there. DJL allows one open {@link GradientCollector} per JVM, hence the
 * lock: concurrent explanations take turns for their backward passes.
 *
 * @param activations A, shape (N, C, h, w), on the run's manager
 * @param gradients   dy^c/dA, same shape; null when only activations were asked for
 * @param logits      model outputs (N, K)
 * @param classes     the target class of each sample
 */
public record LayerGradients(NDArray activations, NDArray gradients, NDArray logits, int[] classes) {

    /** Serialises gradient computations (DJL's collector is a JVM-wide singleton). */
    public static final Object AUTOGRAD_LOCK = new Object();

    public static LayerGradients compute(ExplainableModel model, NDManager run, NDArray input, Layer layer,
                                         Target target) {
        return compute(model, run, input, layer, logits -> {
            ModelSpec.Activation activation = model.activation(logits);
            int[] classes = target.classes(logits, model.classNames(), activation);
            return new Scored(classes, target.score(logits, classes, activation));
        });
    }

    /** What is back-propagated: each sample's class and its differentiable score, shape (N,). */
    public record Scored(int[] classes, NDArray score) {
    }

    /**
     * The same with the score made from the model's output by {@code score}: for targets a {@link Target}
     * alone cannot say, such as a field's tiles that each sum their own part of the field's region.
     */
    public static LayerGradients compute(ExplainableModel model, NDManager run, NDArray input, Layer layer,
                                         java.util.function.Function<NDArray, Scored> score) {
        synchronized (AUTOGRAD_LOCK) {
            try (GradientCollector collector = DeviceChoice.engine().newGradientCollector()) {
                NDArray[] tapped = new NDArray[1];
                Map<String, NDArray> out = model.run(run, input,
                        List.of(model.outputName(), layer.output()), (name, value) -> {
                            if (!name.equals(layer.output())) {
                                return value;
                            }
                            NDArray a = value.stopGradient();
                            a.setRequiresGradient(true);
                            tapped[0] = a;
                            return a;
                        });
                NDArray logits = out.get(model.outputName());
                Scored s = score.apply(logits);
                collector.backward(s.score().sum());
                NDArray gradients = tapped[0].getGradient().duplicate();
                return new LayerGradients(tapped[0].stopGradient(), gradients, logits.stopGradient(), s.classes());
            }
        }
    }

    /** Activations only (Feature Maps, Score-CAM, Eigen-CAM): no backward pass. */
    public static LayerGradients activationsOnly(ExplainableModel model, NDManager run, NDArray input, Layer layer,
                                                 Target target) {
        ExplainableModel.Forward f = model.forward(run, input, List.of(layer.output()));
        return new LayerGradients(f.tap(layer.output()), null, f.logits(), target.classes(f.logits(), model.classNames(),
                model.activation(f.logits())));
    }
}
