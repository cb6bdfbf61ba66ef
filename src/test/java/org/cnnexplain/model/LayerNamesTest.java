package org.cnnexplain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cnnexplain.UserError;
import org.junit.jupiter.api.Test;

/**
 * Module paths as PyTorch users write them, against node names in the two scope styles
 * torch.onnx writes (names copied from torch 1.13 exports: resnet18s_dyn_op13.onnx, and
 * a VGG-style Sequential with named children as torchvision's old AlexNet-like models
 * and many user models build with an OrderedDict).
 */
class LayerNamesTest {

    static final List<Layer> LAYERS = List.of(
            layer("/features/conv1/Conv"),
            layer("/features/relu1/Relu"),
            layer("/features/features.2/Conv"),
            layer("/features/features.3/Relu"),
            layer("/features/relu5/Relu"),
            layer("/features/pool5/MaxPool"),
            layer("/layer4/layer4.0/conv1/Conv"),
            layer("/layer4/layer4.0/downsample/downsample.0/Conv"),
            layer("/layer4/layer4.0/Add"),
            layer("/layer4/layer4.1/relu/Relu"),
            layer("/layer4/layer4.1/conv2/Conv"),
            layer("/layer4/layer4.1/relu_1/Relu"),
            layer("/features/features.1/conv/conv.0/conv.0.0/Conv"),
            layer("/fc/Gemm"));

    static Layer layer(String name) {
        return new Layer(name, name.substring(name.lastIndexOf('/') + 1), name + "_output_0", new long[] {1, 4, 8, 8});
    }

    static String resolve(String name) {
        return LayerNames.resolve(name, LAYERS, "m.onnx").name();
    }

    @Test
    void namedChildrenResolveByTheirModulePath() {
        assertEquals("/features/relu5/Relu", resolve("features.relu5"));
        assertEquals("/features/relu5/Relu", resolve("features/relu5"));
        assertEquals("/features/pool5/MaxPool", resolve("features.pool5"));
        assertEquals("/layer4/layer4.0/conv1/Conv", resolve("layer4.0.conv1"));
        assertEquals("/layer4/layer4.1/conv2/Conv", resolve("layer4.1.conv2"));
    }

    @Test
    void numberedChildrenStillResolve() {
        assertEquals("/features/features.3/Relu", resolve("features.3"));
        assertEquals("/layer4/layer4.0/Add", resolve("layer4.0"));
        assertEquals("/layer4/layer4.0/downsample/downsample.0/Conv", resolve("layer4.0.downsample.0"));
        assertEquals("/layer4/layer4.0/downsample/downsample.0/Conv", resolve("layer4.0.downsample"));
        assertEquals("/features/features.1/conv/conv.0/conv.0.0/Conv", resolve("features.1.conv.0.0"));
        assertEquals("/layer4/layer4.1/relu_1/Relu", resolve("layer4"));
        assertEquals("/features/features.1/conv/conv.0/conv.0.0/Conv", resolve("features"), "last node inside");
    }

    @Test
    void aModuleCalledTwiceIsItsLastCall() {
        assertEquals("/layer4/layer4.1/relu_1/Relu", resolve("layer4.1.relu"));
        assertEquals("/layer4/layer4.1/relu_1/Relu", resolve("layer4.1.relu_1"));
    }

    @Test
    void exactNodeAndTensorNamesWin() {
        assertEquals("/features/relu1/Relu", resolve("/features/relu1/Relu"));
        assertEquals("/fc/Gemm", resolve("/fc/Gemm_output_0"));
    }

    @Test
    void unknownNamesGetSuggestions() {
        UserError e = assertThrows(UserError.class, () -> resolve("features.relu6"));
        assertTrue(e.getMessage().contains("unknown layer 'features.relu6'"), e.getMessage());
        assertTrue(e.getMessage().contains("features.relu5"), e.getMessage());
        assertThrows(UserError.class, () -> resolve("layer4.2"));
        assertThrows(UserError.class, () -> resolve("features.relu"));
    }
}
