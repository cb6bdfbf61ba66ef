package org.cnnexplain.testutil;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** ONNX Runtime as an independent forward oracle: the first output of a model for one float input. */
public final class OnnxRuntimeOracle {

    private OnnxRuntimeOracle() {
    }

    public static float[] run(Path model, Npy input) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), input.shape());
             OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), x))) {
            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] v = new float[b.remaining()];
            b.get(v);
            return v;
        }
    }
}
