"""Helpers over Keras layer graphs: get_source_inputs."""
from tensorweave.keras.engine import session as engine_session


def get_source_inputs(tensor, layer=None, node_index=None):
    """The Input tensors `tensor` was computed from, following the Keras history the layers
    record (a tensor without history is returned as it is)."""
    history = engine_session.keras_history(tensor) if hasattr(tensor, "graph") else None
    if history is None:
        return tensor
    if layer is None or node_index:
        layer, node_index, _ = history
    if not layer.inbound_nodes:
        return [tensor]
    node = layer.inbound_nodes[node_index]
    if not node.inbound_layers:  # an Input layer: the recursion ends here
        return node.input_tensors
    sources = []
    for x, inbound, index in zip(node.input_tensors, node.inbound_layers, node.node_indices):
        for source in get_source_inputs(x, inbound, index):
            if not any(source is s for s in sources):
                sources.append(source)
    return sources
