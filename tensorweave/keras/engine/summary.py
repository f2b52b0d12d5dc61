"""model.summary(): the table TF 1.15's Keras prints (layer, output shape, parameters and, for
graphs that are not a chain, the layers each one is connected to)."""
from tensorweave.util import nest


def _count(weights):
    total = 0
    for w in {id(w): w for w in weights}.values():
        size = 1
        for d in w.shape.as_list():
            size *= d
        total += size
    return int(total)


def _sequential_like(model):
    if type(model).__name__ == "Sequential" or not model._is_graph_network:  # noqa: SLF001
        return True
    nodes = []
    for group in model._nodes_by_depth.values():  # noqa: SLF001
        if len(group) > 1 or (len(group) == 1 and len(nest.flatten(
                group[0].inbound_layers)) > 1):
            return False
        nodes += group
    for layer in model.layers:
        found = False
        for node in layer._inbound_nodes:  # noqa: SLF001
            if any(node is n for n in nodes):
                if found:
                    return False
                found = True
    return True


def _output_shape(layer):
    try:
        return layer.output_shape
    except AttributeError:
        return "multiple"
    except RuntimeError:
        return "?"


def print_summary(model, line_length=None, positions=None, print_fn=None):
    print_fn = print_fn or print
    sequential_like = _sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [.45, .85, 1.]
        to_display = ["Layer (type)", "Output Shape", "Param #"]
        relevant_nodes = []
    else:
        line_length = line_length or 98
        positions = positions or [.33, .55, .67, 1.]
        to_display = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        relevant_nodes = []
        for group in model._nodes_by_depth.values():  # noqa: SLF001
            relevant_nodes += group
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    def print_row(fields):
        line = ""
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + " "
            line += str(field)
            line = line[:positions[i]]
            line += " " * (positions[i] - len(line))
        print_fn(line)

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_row(to_display)
    print_fn("=" * line_length)
    layers = model.layers
    for i, layer in enumerate(layers):
        title = f"{layer.name} ({type(layer).__name__})"
        if sequential_like:
            print_row([title, _output_shape(layer), layer.count_params()])
        else:
            connections = []
            for node in layer._inbound_nodes:  # noqa: SLF001
                if relevant_nodes and not any(node is n for n in relevant_nodes):
                    continue
                for inbound_layer, node_index, tensor_index, _ in node.iterate_inbound():
                    connections.append(f"{inbound_layer.name}[{node_index}][{tensor_index}]")
            print_row([title, _output_shape(layer), layer.count_params(),
                       connections[0] if connections else ""])
            for connection in connections[1:]:
                print_row(["", "", "", connection])
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)
    trainable = _count(getattr(model, "_collected_trainable_weights", None)
                       or model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non_trainable:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {non_trainable:,}")
    print_fn("_" * line_length)
