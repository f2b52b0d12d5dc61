"""Control flow ops, one module per concern: grouping (NoOp, tf.group, tf.tuple), contexts and
DEAD, Switch/Merge, tf.cond/tf.case, the loop program, the While op, its gradient (WhileGrad)
and the tf.while_loop builder.

tf.cond builds both branches into the graph, each under a `CondContext`. Every outer tensor a
branch uses enters it through `Switch(value, pred)`, whose untaken output is DEAD when the
graph runs; ops without inputs in a branch wait on the branch's pivot. So nothing of the
untaken branch runs, and `Merge` passes on the one live input. Gradients follow TensorFlow:
the gradient of a Merge is a Switch of the gradient, that of a Switch is a Merge.

tf.while_loop builds cond and body once, under a `WhileContext`, reading `LoopInput` tensors
that stand for the loop variables and for the outer tensors the body uses (captured). A
`While` op takes the initial values and the captured tensors; its kernel runs a sub-Plan of
the cond and one of the body per iteration. Its gradient is a `WhileGrad` op that runs the
body's gradient graph once per iteration in reverse, fed with the values the forward loop
recorded each iteration (its trace). A WhileGrad is a loop of the same kind (a
`LoopProgram`), so it has a gradient too: a WhileGrad running forwards over the first one's
trace, whose gradients of the recorded forward values flow back into the While's gradient as
a gradient trace. That gives second-order gradients (tf.hessians) through loops.

Graphs TensorFlow 1 wrote keep its own control flow: loop frames of Enter, Merge, Switch,
LoopCond, NextIteration and Exit nodes, which tf.import_graph_def rebuilds as While ops
(tf1_frames), and tf.cond's Switch and Merge, which read as these. Their gradient loops read
the forward values through TensorFlow's stacks (tf1_stacks), and their TensorArrays are
TensorFlow's handle ops (tf1_tensor_arrays).

    r = tf.cond(x < y, lambda: x * 2, lambda: y)
    i, total = tf.while_loop(lambda i, s: i < 10, lambda i, s: (i + 1, s + x), [0, 0.0])
"""
from tensorweave.ops.control.grouping import group, no_op, tuple_
from tensorweave.ops.control.contexts import DEAD, CondContext, WhileContext
from tensorweave.ops.control.switch import zeros_like_value
from tensorweave.ops.control.cond import case, cond
from tensorweave.ops.control.loop_program import LoopBody, LoopTrace
from tensorweave.ops.control.loop_gradient import LoopGradient
from tensorweave.ops.control import while_op  # noqa: F401 - registers While
from tensorweave.ops.control import tf1_frames  # noqa: F401 - reads TF1's loop frames
from tensorweave.ops.control import tf1_stacks, tf1_tensor_arrays  # noqa: F401 - their ops
from tensorweave.ops.control import tf1_loop_forms  # noqa: F401 - writes loops in TF1 forms
from tensorweave.ops.control.while_loop import while_loop

__all__ = ["group", "no_op", "tuple_", "DEAD", "CondContext", "WhileContext", "zeros_like_value",
           "case", "cond", "LoopBody", "LoopTrace", "LoopGradient", "while_loop"]
