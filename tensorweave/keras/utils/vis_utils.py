"""tf.keras.utils.model_to_dot and plot_model: a model's layer graph as a pydot graph (and an
image through Graphviz). Both need pydot; plot_model also needs Graphviz's `dot` program."""
import os


def _pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError("Failed to import pydot. You must install pydot and graphviz for "
                          "`pydotprint` to work.") from None
    return pydot


def _shape_label(layer, attribute):
    try:
        return str(getattr(layer, attribute))
    except (AttributeError, RuntimeError):
        return "multiple"


def _model_layers(model):
    layers = list(model.layers)
    for input_layer in getattr(model, "input_layers", None) or []:
        if input_layer not in layers:
            layers.insert(0, input_layer)
    for layer in list(layers):  # the Input layers the first layers were called on
        for node in layer.inbound_nodes:
            for inbound in node.inbound_layers:
                if inbound is not None and inbound not in layers and \
                        type(inbound).__name__ == "InputLayer":
                    layers.insert(0, inbound)
    return layers


def model_to_dot(model, show_shapes=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=96, subgraph=False):
    """A pydot.Dot of the model's layers (nodes labelled 'name: Class', with input/output
    shapes when `show_shapes`) and the connections between them."""
    pydot = _pydot()
    dot = pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("concentrate", True)
    dot.set("dpi", dpi)
    dot.set_node_defaults(shape="record")
    layers = _model_layers(model)
    for layer in layers:
        class_name = type(layer).__name__
        label = f"{layer.name}: {class_name}" if show_layer_names else class_name
        if show_shapes:
            label = (f"{label}\n|{{input:|output:}}|{{{{{_shape_label(layer, 'input_shape')}}}|"
                     f"{{{_shape_label(layer, 'output_shape')}}}}}")
        dot.add_node(pydot.Node(str(id(layer)), label=label))
    ids = {id(layer) for layer in layers}
    for layer in layers:
        for node in layer.inbound_nodes:
            for inbound in node.inbound_layers:
                if inbound is not None and id(inbound) in ids:
                    dot.add_edge(pydot.Edge(str(id(inbound)), str(id(layer))))
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_layer_names=True,
               rankdir="TB", expand_nested=False, dpi=96):
    """Writes the model's graph as an image (the format from the file's extension)."""
    dot = model_to_dot(model, show_shapes=show_shapes, show_layer_names=show_layer_names,
                       rankdir=rankdir, expand_nested=expand_nested, dpi=dpi)
    extension = os.path.splitext(to_file)[1]
    extension = extension[1:] if extension else "png"
    try:
        dot.write(to_file, format=extension)
    except (OSError, FileNotFoundError) as e:
        raise ImportError("Failed to import pydot. You must install pydot and graphviz for "
                          f"`pydotprint` to work. ({e})") from None
