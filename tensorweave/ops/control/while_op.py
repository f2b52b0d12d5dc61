"""The While op: sub-Plans of the cond and the body, run until the cond is false; its body
written to a GraphDef as the names of its tensors."""
from tensorweave.core.registry import register_attr_codec, register_op
from tensorweave.ops.control.contexts import WhileContext
from tensorweave.ops.control.loop_program import LoopBody, LoopTrace, TRACE
from tensorweave.ops.control.loop_gradient import loop_grad


def _while_shape(*inputs, body):
    return [(t.dtype, t.shape) for t in body.var_inputs] + [TRACE]


def _bind_while(op, make_plan, is_used):
    """The While kernel with sub-Plans of its cond and body, built once per Plan; it records
    values for the gradient only when the Plan runs the gradient."""
    body = op.attrs["body"]
    n, m, has_limit = len(body.var_inputs), len(body.capture_inputs), body.has_limit
    record = body.gradient is not None and is_used(op.outputs[n])
    cond_plan = make_plan([body.pred], body.inputs)
    body_plan = make_plan(body.outputs + (body.saved if record else []), body.inputs)

    def run(*inputs):
        values, captured = list(inputs[:n]), list(inputs[n:n + m])
        limit = int(inputs[n + m]) if has_limit else None
        steps = []
        while limit is None or len(steps) < limit:
            if not cond_plan.run_raw(values + captured)[0]:
                break
            out = body_plan.run_raw(values + captured)
            values = out[:n]
            steps.append(out[n:] if record else None)
        return (*values, LoopTrace(steps if record else []))
    return run


register_op("While", shape=_while_shape, kernel=None, bind=_bind_while, grad=loop_grad,
            foldable=False, shares_memory=True)


def _encode_body(body):
    context = body.context
    return {"name": context.name, "var_inputs": list(body.var_inputs), "pred": body.pred,
            "outputs": list(body.outputs), "captured": list(context.captured),
            "capture_inputs": list(context.capture_inputs), "saved": list(body.saved),
            "back_prop": body.back_prop, "has_limit": body.has_limit}


def _decode_body(data, inputs):
    """The LoopBody of an imported While; the ops between its LoopInputs and its pred and
    outputs join a new WhileContext, so tf.gradients can go through the loop again."""
    graph = data["pred"].graph
    context = WhileContext(graph, data["name"])
    context.captured = list(data["captured"])
    context.capture_inputs = list(data["capture_inputs"])
    body = LoopBody(context, list(data["var_inputs"]), data["pred"], list(data["outputs"]),
                    data["back_prop"], data["has_limit"])
    for t in data["saved"]:
        body.save(t)
    stop = set(body.inputs)
    for t in stop:  # as while_loop makes them: in the loop (its gradient records the values)
        context._contexts[t.op] = context
    pending = [t.op for t in [body.pred] + body.outputs if t not in stop]
    while pending:
        op = pending.pop()
        if op in context._contexts:
            continue
        context._contexts[op] = context
        pending.extend(t.op for t in op.inputs if t not in stop)
        pending.extend(op.control_inputs)
    return body


register_attr_codec("While", "body", encode=_encode_body, decode=_decode_body)
