"""tf.train.SyncReplicasOptimizer (TF 1.15): gradients aggregated in accumulators, applied
once per step by the chief's queue runner, replicas paced by a token queue.

tensorweave runs one replica (replicas_to_aggregate = total_num_replicas = 1): the program's
graph, variables (`sync_rep_local_step`, the accumulators shared as "<var>/grad_accum", the
`sync_token_q` queue) and numbers are TensorFlow's, a gradient computed from a stale step is
dropped as there. More replicas need other workers: data-parallel training runs on MPI with
Horovod's API (docs/distributed.md).

    opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1),
                                         replicas_to_aggregate=1)
    train_op = opt.minimize(loss, global_step=global_step)
    hook = opt.make_session_run_hook(is_chief=True)
    with tf.train.MonitoredTrainingSession(hooks=[hook]) as sess:
        sess.run(train_op)
"""
from tensorweave.accumulators import ConditionalAccumulator, SparseConditionalAccumulator
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.core.operation import Tensor
from tensorweave.ops import array, control, state_ops
from tensorweave.queues import FIFOQueue
from tensorweave.train import optimizer, queue_runner, server_lib, session_manager
from tensorweave.train.session_run_hook import SessionRunHook
from tensorweave import variables

__all__ = ["SyncReplicasOptimizer"]


class SyncReplicasOptimizer(optimizer.Optimizer):
    """Wraps `opt`: each step's gradients go to accumulators; the chief applies their mean
    with `opt` once `replicas_to_aggregate` arrived and hands out tokens for the next step."""

    def __init__(self, opt, replicas_to_aggregate, total_num_replicas=None,
                 variable_averages=None, variables_to_average=None, use_locking=False,
                 name="sync_replicas"):
        if total_num_replicas is None:
            total_num_replicas = replicas_to_aggregate
        if replicas_to_aggregate > 1 or total_num_replicas > 1:
            raise NotImplementedError(
                f"SyncReplicasOptimizer(replicas_to_aggregate={replicas_to_aggregate}, "
                f"total_num_replicas={total_num_replicas}) needs other worker processes "
                f"sharing variables through parameter servers, which tensorweave does not "
                f"have (it runs one replica: use 1); {server_lib.HOROVOD_PATH}")
        super().__init__(use_locking, name)
        self._opt = opt
        self._replicas_to_aggregate = replicas_to_aggregate
        self._gradients_applied = False
        self._variable_averages = variable_averages
        self._variables_to_average = variables_to_average
        self._total_num_replicas = total_num_replicas
        self._tokens_per_step = max(total_num_replicas, replicas_to_aggregate)
        self._global_step = None
        self._sync_token_queue = None
        self._chief_queue_runner = None
        self._accumulator_list = []
        self._local_step = None
        self.local_step_init_op = None
        self.chief_init_op = None
        self.ready_for_local_init_op = None

    def compute_gradients(self, *args, **kwargs):
        """The wrapped optimizer's gradients."""
        return self._opt.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """The train op: puts the gradients into the accumulators, then waits for a token and
        takes its step as the local step. The chief's queue runner applies the aggregated
        gradients (see get_chief_queue_runner)."""
        if not grads_and_vars:
            raise ValueError("Must supply at least one variable")
        if global_step is None:
            raise ValueError("Global step is required to check staleness")
        grads_and_vars = list(grads_and_vars)
        graph = get_default_graph()
        self._global_step = global_step
        step_dtype = global_step.dtype.base_dtype
        train_ops, aggregated_grad, var_list = [], [], []

        control.no_op()  # TF's local anchor (the local step's device)
        self._local_step = variables.Variable(
            initial_value=0, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES],
            dtype=step_dtype, name="sync_rep_local_step")
        self.local_step_init_op = state_ops.assign(self._local_step, global_step)
        chief_init_ops = [self.local_step_init_op]
        self.ready_for_local_init_op = variables.report_uninitialized_variables(
            variables.global_variables())

        with name_scope(None, self._name):
            for grad, var in grads_and_vars:
                var_list.append(var)
                with graph.device(var.device):
                    if grad is None:
                        aggregated_grad.append(None)  # passed through
                        continue
                    if isinstance(grad, Tensor):
                        accumulator = ConditionalAccumulator(
                            grad.dtype, shape=var.get_shape(),
                            shared_name=var.name + "/grad_accum")
                        train_ops.append(accumulator.apply_grad(
                            grad, local_step=self._local_step))
                        aggregated_grad.append(accumulator.take_grad(
                            self._replicas_to_aggregate))
                    else:
                        if not isinstance(grad, IndexedSlices):
                            raise ValueError("Unknown grad type!")
                        accumulator = SparseConditionalAccumulator(
                            grad.dtype, shape=(), shared_name=var.name + "/grad_accum")
                        train_ops.append(accumulator.apply_indexed_slices_grad(
                            grad, local_step=self._local_step))
                        aggregated_grad.append(accumulator.take_indexed_slices_grad(
                            self._replicas_to_aggregate))
                    self._accumulator_list.append((accumulator, var.device))

            with graph.device(global_step.device), graph.name_scope(""):
                update_op = self._opt.apply_gradients(zip(aggregated_grad, var_list),
                                                      global_step)
                self._sync_token_queue = FIFOQueue(
                    -1, step_dtype, shapes=(), name="sync_token_q",
                    shared_name="sync_token_q")

            with graph.device(global_step.device), graph.name_scope(""):
                with graph.control_dependencies(train_ops):  # wait for a token to go on
                    token = self._sync_token_queue.dequeue()
                train_op = state_ops.assign(self._local_step, token)
                with graph.control_dependencies([update_op]):
                    tokens = array.fill([self._tokens_per_step], global_step)
                    sync_op = self._sync_token_queue.enqueue_many((tokens,))
                if self._variable_averages is not None:
                    with graph.control_dependencies([sync_op]), graph.name_scope(""):
                        sync_op = self._variable_averages.apply(self._variables_to_average)
                # started by the chief's hook, once the first tokens are in
                self._chief_queue_runner = queue_runner.QueueRunner(self._sync_token_queue,
                                                                    [sync_op])
            for accumulator, device in self._accumulator_list:
                with graph.device(device):
                    chief_init_ops.append(accumulator.set_global_step(
                        global_step, name="SetGlobalStep"))
            self.chief_init_op = control.group(*chief_init_ops)
            self._gradients_applied = True
            return train_op

    def get_chief_queue_runner(self):
        """The QueueRunner the chief runs: it applies each step's aggregated gradients."""
        if self._gradients_applied is False:
            raise ValueError("Should be called after apply_gradients().")
        return self._chief_queue_runner

    def get_slot(self, *args, **kwargs):
        return self._opt.get_slot(*args, **kwargs)

    def variables(self):
        return self._opt.variables()

    def get_slot_names(self, *args, **kwargs):
        return self._opt.get_slot_names(*args, **kwargs)

    def get_init_tokens_op(self, num_tokens=-1):
        """The op putting the first step's tokens (default replicas_to_aggregate) into the
        token queue."""
        if self._gradients_applied is False:
            raise ValueError("get_init_tokens_op() should be called after apply_gradients().")
        tokens_needed = self._replicas_to_aggregate - self._total_num_replicas
        if num_tokens == -1:
            num_tokens = self._replicas_to_aggregate
        elif num_tokens < tokens_needed:
            raise ValueError(f"Too few tokens to finish the first step: {num_tokens} (given) vs "
                             f"{tokens_needed} (needed)")
        graph = get_default_graph()
        if num_tokens > 0:
            with graph.device(self._global_step.device), graph.name_scope(""):
                tokens = array.fill([num_tokens], self._global_step)
                return self._sync_token_queue.enqueue_many((tokens,))
        return control.no_op(name="no_init_tokens")

    def make_session_run_hook(self, is_chief, num_tokens=-1):
        """The hook that initializes the local step (and, on the chief, the accumulators'
        global steps and the first tokens) and starts the chief's queue runner."""
        return _SyncReplicasOptimizerHook(self, is_chief, num_tokens)


class _SyncReplicasOptimizerHook(SessionRunHook):
    """Runs the (chief's) local init op and the first tokens after the session is made."""

    def __init__(self, sync_optimizer, is_chief, num_tokens):
        self._sync_optimizer = sync_optimizer
        self._is_chief = is_chief
        self._num_tokens = num_tokens

    def begin(self):
        opt = self._sync_optimizer
        if opt.chief_init_op is None:
            raise ValueError("SyncReplicasOptimizer.apply_gradient should be called before "
                             "using the hook.")
        self._ready_for_local_init_op = opt.ready_for_local_init_op
        if self._is_chief:
            self._local_init_op = opt.chief_init_op
            self._q_runner = opt.get_chief_queue_runner()
            self._init_tokens_op = opt.get_init_tokens_op(self._num_tokens)
        else:
            self._local_init_op = opt.local_step_init_op
            self._q_runner = None
            self._init_tokens_op = None

    def after_create_session(self, session, coord):
        message = session_manager.ready_message(self._ready_for_local_init_op, session)
        if message is not None:
            raise RuntimeError(
                "Init operations did not make model ready for SyncReplicasOptimizer "
                f"local_init. Init op: {self._local_init_op.name}, error: {message}")
        session.run(self._local_init_op)
        if self._init_tokens_op is not None:
            session.run(self._init_tokens_op)
        if self._q_runner is not None:
            self._q_runner.create_threads(session, coord=coord, daemon=True, start=True)
