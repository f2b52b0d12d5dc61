"""tf.saved_model.utils: TensorInfo protos naming a graph's tensors in SignatureDefs.

    info = tf.saved_model.utils.build_tensor_info(x)     # name "x:0", dtype, shape
    tensor = tf.saved_model.utils.get_tensor_from_tensor_info(info)
"""
from tensorweave.core.graph import get_default_graph
from tensorweave.core.operation import Operation, Tensor
from tensorweave.core.sparse_tensor import SparseTensor


def _meta_graph_pb2():
    from tensorboard.compat.proto import meta_graph_pb2
    return meta_graph_pb2


def build_tensor_info(tensor):
    """The TensorInfo of a Tensor (name, dtype, shape) or SparseTensor (its coo_sparse
    component names); TypeError for anything else."""
    from tensorweave.core import graph_def as codec
    meta_graph_pb2 = _meta_graph_pb2()
    if isinstance(tensor, SparseTensor):
        info = meta_graph_pb2.TensorInfo(
            dtype=codec.datatype_enum(tensor.dtype),
            tensor_shape=codec.shape_proto(tensor.get_shape()))
        info.coo_sparse.values_tensor_name = tensor.values.name
        info.coo_sparse.indices_tensor_name = tensor.indices.name
        info.coo_sparse.dense_shape_tensor_name = tensor.dense_shape.name
        return info
    if not isinstance(tensor, Tensor):
        raise TypeError(f"build_tensor_info requires a Tensor or SparseTensor, got "
                        f"{type(tensor).__name__}: {tensor!r}")
    return meta_graph_pb2.TensorInfo(name=tensor.name, dtype=codec.datatype_enum(tensor.dtype),
                                     tensor_shape=codec.shape_proto(tensor.shape))


def build_tensor_info_from_op(op):
    """The TensorInfo naming an Operation (dtype DT_INVALID, unknown rank), as TF stores the
    init and train ops of a SavedModel in SignatureDefs."""
    from tensorweave.core import graph_def as codec
    info = _meta_graph_pb2().TensorInfo(name=op.name, dtype=0)
    info.tensor_shape.CopyFrom(codec.shape_proto(None))
    return info


def _scoped(name, import_scope):
    return f"{import_scope}/{name}" if import_scope else name


def get_tensor_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """The Tensor (or SparseTensor) a TensorInfo names in `graph` (default: the default
    graph), under `import_scope` if the graph was imported under one.

    KeyError if the graph has no such tensor; ValueError for an encoding other than name or
    coo_sparse."""
    graph = graph if graph is not None else get_default_graph()
    encoding = tensor_info.WhichOneof("encoding")
    if encoding == "name":
        return graph.get_tensor_by_name(_scoped(tensor_info.name, import_scope))
    if encoding == "coo_sparse":
        coo = tensor_info.coo_sparse
        return SparseTensor(
            graph.get_tensor_by_name(_scoped(coo.indices_tensor_name, import_scope)),
            graph.get_tensor_by_name(_scoped(coo.values_tensor_name, import_scope)),
            graph.get_tensor_by_name(_scoped(coo.dense_shape_tensor_name, import_scope)))
    raise ValueError(f"Invalid TensorInfo.encoding: {encoding}")


def get_element_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """The Tensor or Operation a TensorInfo names (operations carry no ':k')."""
    graph = graph if graph is not None else get_default_graph()
    element = graph.as_graph_element(_scoped(tensor_info.name, import_scope))
    return element


def is_graph_element(value):
    return isinstance(value, (Tensor, Operation))
