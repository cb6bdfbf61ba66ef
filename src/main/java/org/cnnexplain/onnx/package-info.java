/**
 * Reading ONNX files into the engine's {@link org.cnnexplain.graph.Graph}.
 *
 * <p>The protobuf classes in {@code org.cnnexplain.onnx.proto} are generated at
 * build time from {@code src/main/proto/onnx.proto}, a schema written from the
 * ONNX specification. {@link org.cnnexplain.onnx.OnnxReader} validates what it
 * reads (a parseable model, a graph that is acyclic and whose every tensor is
 * produced somewhere, weights inside the file) and turns weights into NDArrays.
 */
package org.cnnexplain.onnx;
