"""tf.contrib.compiler.jit.experimental_jit_scope: marks the ops built inside for XLA's JIT as
TF 1.15 does (attrs `_XlaCompile`, `_XlaSeparateCompiledGradients` and `_XlaScope`, also on
their gradient ops). tensorweave runs the marked ops like any other."""
import contextlib

from tensorweave.core.graph import get_default_graph

__all__ = ["experimental_jit_scope"]


class JitScopeCounter:
    """Per graph: how many outermost jit scopes were opened (their `_XlaScope` numbers) and
    how deep the current one is nested."""

    def __init__(self):
        self.count = 0
        self.depth = 0


@contextlib.contextmanager
def experimental_jit_scope(compile_ops=True, separate_compiled_gradients=False):
    """Ops created inside get `_XlaCompile` = compile_ops (a bool, or fn(node_def) -> bool
    asked per op) and `_XlaSeparateCompiledGradients`; an outermost scope also gives them
    `_XlaScope` = b"jit_scope_<n>", n counting the graph's outermost scopes. Their gradients
    are marked alike, in a scope of their own with separate_compiled_gradients.

        with tf.contrib.compiler.jit.experimental_jit_scope(
                compile_ops=lambda node_def: "matmul" in node_def.op.lower()):
            e = tf.matmul(a, b) + d  # the MatMul is marked True, the Add False
    """
    if callable(compile_ops):
        def xla_compile(node_def):
            return bool(compile_ops(node_def))
    else:
        xla_compile = bool(compile_ops)
    attrs = {"_XlaCompile": xla_compile,
             "_XlaSeparateCompiledGradients": bool(separate_compiled_gradients)}
    graph = get_default_graph()
    counter = graph.extension(JitScopeCounter, JitScopeCounter)
    if counter.depth == 0:  # nested scopes join the outermost one's cluster
        attrs["_XlaScope"] = f"jit_scope_{counter.count}".encode()
        counter.count += 1
    counter.depth += 1
    try:
        with graph.attr_scope(attrs):
            yield
    finally:
        counter.depth -= 1
