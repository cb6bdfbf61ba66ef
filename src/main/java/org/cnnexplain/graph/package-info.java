/**
 * The network as a graph of nodes that the engine executes itself, one node at
 * a time, with DJL NDArray operations.
 *
 * <p>Executing node by node is what lets every explanation method work on an
 * exported model: any node's output can be tapped and any node's backward rule
 * replaced. {@link org.cnnexplain.graph.Graph} holds nodes in execution order,
 * {@link org.cnnexplain.graph.Ops} maps each ONNX op type to its
 * {@link org.cnnexplain.graph.Op}, and {@link org.cnnexplain.graph.Executor}
 * runs a forward pass and returns the values asked for.
 */
package org.cnnexplain.graph;
