"""The Inception networks' building blocks, as data: a layer spec (`conv`, `separable`, `pool`,
`fork`), a "mixed" block of parallel branches concatenated on the channels, and a plan of end
points run in turn up to a final one (inception_v1, inception_v2, inception_v3)."""
from tensorweave import init_ops
from tensorweave.contrib import layers
from tensorweave.ops import array
from tensorweave.variable_scope import variable_scope

__all__ = ["classifier", "conv", "fork", "mixed", "pool", "reduced_kernel_size",
           "run_end_points", "separable", "truncated_normal"]


def truncated_normal(stddev):
    return init_ops.truncated_normal_initializer(0.0, stddev)


def conv(depth, kernel, scope, **kwargs):
    return ("conv", depth, kernel, scope, kwargs)


def separable(depth, kernel, scope, **kwargs):
    """A depthwise then pointwise convolution (kwargs: depth_multiplier, stride, ...)."""
    return ("separable", depth, kernel, scope, kwargs)


def pool(kind, kernel, scope, **kwargs):
    return (kind, None, kernel, scope, kwargs)


def fork(*specs):
    """Layers applied to the same input, their outputs concatenated on the channels."""
    return ("fork", None, None, None, specs)


def _apply(net, spec, depth):
    kind, channels, kernel, scope, kwargs = spec
    if kind == "conv":
        return layers.conv2d(net, depth(channels), kernel, scope=scope, **kwargs)
    if kind == "separable":
        return layers.separable_conv2d(net, depth(channels), kernel, scope=scope, **kwargs)
    if kind == "max":
        return layers.max_pool2d(net, kernel, scope=scope, **kwargs)
    if kind == "avg":
        return layers.avg_pool2d(net, kernel, scope=scope, **kwargs)
    return array.concat([_apply(net, s, depth) for s in kwargs], 3)


def mixed(net, name, branches, depth):
    """Block `name`: branch i (a list of layer specs) under Branch_i, concatenated."""
    with variable_scope(name):
        outputs = []
        for i, branch in enumerate(branches):
            with variable_scope(f"Branch_{i}"):
                out = net
                for spec in branch:
                    out = _apply(out, spec, depth)
                outputs.append(out)
        return array.concat(outputs, 3)


def run_end_points(net, plan, depth, final_endpoint, end_points):
    """Each (end point, layer spec or list of branches) of `plan` in turn, recorded in
    end_points; (net, end_points) as soon as `final_endpoint` is reached, else None."""
    for name, step in plan:
        net = mixed(net, name, step, depth) if isinstance(step, list) else \
            _apply(net, step, depth)
        end_points[name] = net
        if name == final_endpoint:
            return net, end_points
    return net, None


def reduced_kernel_size(tensor, kernel_size):
    """`kernel_size` cut to the input's height and width when they are known and smaller."""
    shape = tensor.shape.as_list()
    if shape[1] is None or shape[2] is None:
        return kernel_size
    return [min(shape[1], kernel_size[0]), min(shape[2], kernel_size[1])]


def classifier(net, num_classes, dropout_keep_prob, spatial_squeeze, kernel_size,
               end_points=None):
    """Inception V2's and V3's logits (in the caller's 'Logits' scope): an average pool over
    kernel_size (cut to the input), dropout (recorded as end_points["PreLogits"] when given)
    and a 1x1 convolution to num_classes, squeezed to [batch, num_classes] when asked."""
    kernel = reduced_kernel_size(net, kernel_size)
    net = layers.avg_pool2d(net, kernel, padding="VALID",
                            scope="AvgPool_1a_{}x{}".format(*kernel))
    net = layers.dropout(net, keep_prob=dropout_keep_prob, scope="Dropout_1b")
    if end_points is not None:
        end_points["PreLogits"] = net
    logits = layers.conv2d(net, num_classes, [1, 1], activation_fn=None, normalizer_fn=None,
                           scope="Conv2d_1c_1x1")
    return array.squeeze(logits, [1, 2], name="SpatialSqueeze") if spatial_squeeze else logits
