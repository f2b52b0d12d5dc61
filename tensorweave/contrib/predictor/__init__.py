"""tf.contrib.predictor: a model ready to call on NumPy inputs, from a SavedModel on disk or
from a trained Estimator's newest checkpoint.

    predict_fn = tf.contrib.predictor.from_saved_model(export_dir)
    predictions = predict_fn({"x": images})     # {output key: array}

A Predictor holds its own graph and session; calling it feeds the dict's arrays to the
signature's input tensors (keys it does not know raise ValueError) and fetches every output.
"""
from tensorweave.contrib.learn import estimators as contrib_estimators
from tensorweave.contrib.learn.python.learn.utils import saved_model_export_utils
from tensorweave.core.graph import Graph
from tensorweave.estimator import estimator as core_estimator
from tensorweave.estimator.model_fn import ModeKeys
from tensorweave.platform import tf_logging as logging
from tensorweave.runtime.session import Session
from tensorweave.saved_model import loader, saved_model_proto, signature_constants
from tensorweave.train import checkpoint_management, monitored_session

__all__ = ["from_contrib_estimator", "from_estimator", "from_saved_model"]

DEFAULT_TAGS = "serve"
_DEFAULT_INPUT_ALTERNATIVE_FORMAT = "default_input_alternative:{}"


class Predictor:
    """A graph, a session over it, and the tensors a call feeds and fetches by key."""

    @property
    def graph(self):
        return self._graph

    @property
    def session(self):
        return self._session

    @property
    def feed_tensors(self):
        return self._feed_tensors

    @property
    def fetch_tensors(self):
        return self._fetch_tensors

    def __repr__(self):
        return (f"{type(self).__name__} with feed tensors {self._feed_tensors} and "
                f"fetch_tensors {self._fetch_tensors}")

    def __call__(self, input_dict):
        """{fetch key: array} for `input_dict` ({feed key: array}; a key missing or None is
        not fed)."""
        unexpected = set(input_dict) - set(self._feed_tensors)
        if unexpected:
            raise ValueError(f"Got unexpected keys in input_dict: {unexpected}")
        feed_dict = {tensor: input_dict[key] for key, tensor in self._feed_tensors.items()
                     if input_dict.get(key) is not None}
        return self._session.run(fetches=self._fetch_tensors, feed_dict=feed_dict)


def _tag_list(tags):
    tags = tags or DEFAULT_TAGS
    return [t.strip() for t in tags.split(",")] if isinstance(tags, str) else list(tags)


def get_meta_graph_def(saved_model_dir, tags):
    """The MetaGraphDef of the SavedModel in `saved_model_dir` whose tag set is `tags` (a
    comma-separated string); ValueError when there is none."""
    wanted = set(_tag_list(tags))
    for meta_graph_def in saved_model_proto.parse_saved_model(saved_model_dir).meta_graphs:
        if set(meta_graph_def.meta_info_def.tags) == wanted:
            return meta_graph_def
    raise ValueError(f"Could not find MetaGraphDef with tags {tags}")


def _signature_def(signature_def_key, export_dir, tags):
    key = signature_def_key or signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
    signatures = get_meta_graph_def(export_dir, tags).signature_def
    if key in signatures:
        return signatures[key]
    alternative = _DEFAULT_INPUT_ALTERNATIVE_FORMAT.format(key)
    if alternative not in signatures:
        raise ValueError(f'Got signature_def_key "{key}". Available signatures are '
                         f"{list(signatures)}. Original error:\n'{key}'")
    logging.warning('Could not find signature def "%s". Using "%s" instead', key, alternative)
    return signatures[alternative]


def _tensors_of(graph, infos):
    return {key: graph.get_tensor_by_name(info.name) for key, info in infos.items()}


class SavedModelPredictor(Predictor):
    """A Predictor over a SavedModel: its graph loaded with `tags` (default "serve"), fed
    and fetched through a SignatureDef (by key, default "serving_default", or given), or
    through input_names / output_names ({key: tensor name})."""

    def __init__(self, export_dir, signature_def_key=None, signature_def=None,
                 input_names=None, output_names=None, tags=None, graph=None, config=None):
        if (input_names is None) != (output_names is None):
            raise ValueError("input_names and output_names must both be specified or both be "
                             "unspecified.")
        if (signature_def_key is not None) + (signature_def is not None) + \
                (input_names is not None) > 1:
            raise ValueError("You must specify at most one of signature_def_key OR "
                             "signature_def OR(input_names AND output_names).")
        self._graph = graph or Graph()
        with self._graph.as_default():
            self._session = Session(config=config)
            loader.load(self._session, _tag_list(tags), export_dir)
        if input_names is None:
            if signature_def is None:
                signature_def = _signature_def(signature_def_key, export_dir, tags)
            self._feed_tensors = _tensors_of(self._graph, signature_def.inputs)
            self._fetch_tensors = _tensors_of(self._graph, signature_def.outputs)
        else:
            self._feed_tensors = {k: self._graph.get_tensor_by_name(v)
                                  for k, v in input_names.items()}
            self._fetch_tensors = {k: self._graph.get_tensor_by_name(v)
                                   for k, v in output_names.items()}


class CoreEstimatorPredictor(Predictor):
    """A Predictor over a tf.estimator.Estimator's PREDICT graph on a serving input
    receiver, with the variables of the newest checkpoint in its model_dir."""

    def __init__(self, estimator, serving_input_receiver_fn, output_key=None, graph=None):
        self._graph = graph or Graph()
        with self._graph.as_default():
            receiver = serving_input_receiver_fn()
            spec = estimator.model_fn(receiver.features, None, ModeKeys.PREDICT,
                                      estimator.config)
            key = output_key or signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
            export_output = (spec.export_outputs or {}).get(key)
            if export_output is None:
                raise KeyError(f"output_key must be one of {(spec.export_outputs or {}).keys()}"
                               f"; got {key}")
            signature_def = export_output.as_signature_def(receiver.receiver_tensors)
            self._session = monitored_session.MonitoredSession(
                session_creator=monitored_session.ChiefSessionCreator(
                    checkpoint_dir=estimator.model_dir))
        self._feed_tensors = _tensors_of(self._graph, signature_def.inputs)
        self._fetch_tensors = _tensors_of(self._graph, signature_def.outputs)


class ContribEstimatorPredictor(Predictor):
    """A Predictor over a tf.contrib.learn Estimator's INFER graph on an InputFnOps, with
    the variables of the newest checkpoint in its model_dir."""

    def __init__(self, estimator, prediction_input_fn, input_alternative_key=None,
                 output_alternative_key=None, graph=None):
        self._graph = graph or Graph()
        with self._graph.as_default():
            input_fn_ops = prediction_input_fn()
            model_fn_ops = contrib_estimators.predict_ops(estimator, input_fn_ops.features)
            checkpoint = checkpoint_management.latest_checkpoint(estimator.model_dir)
            self._session = monitored_session.MonitoredSession(
                session_creator=monitored_session.ChiefSessionCreator(
                    checkpoint_filename_with_path=checkpoint))
        inputs, _ = saved_model_export_utils.get_input_alternatives(input_fn_ops)
        self._feed_tensors = inputs[input_alternative_key or
                                    saved_model_export_utils.DEFAULT_INPUT_ALTERNATIVE_KEY]
        outputs, output_alternative_key = saved_model_export_utils.get_output_alternatives(
            model_fn_ops, output_alternative_key)
        self._fetch_tensors = outputs[output_alternative_key][1]


def from_saved_model(export_dir, signature_def_key=None, signature_def=None, input_names=None,
                     output_names=None, tags=None, graph=None, config=None):
    """A Predictor over the SavedModel in `export_dir` (SavedModelPredictor)."""
    return SavedModelPredictor(export_dir, signature_def_key=signature_def_key,
                               signature_def=signature_def, input_names=input_names,
                               output_names=output_names, tags=tags, graph=graph,
                               config=config)


def from_estimator(estimator, serving_input_receiver_fn, output_key=None, graph=None):
    """A Predictor over a tf.estimator.Estimator's newest checkpoint."""
    if isinstance(estimator, contrib_estimators.Estimator):
        raise TypeError("Espected estimator to be of type tf.python.estimator.Estimator, but "
                        "got type tf.contrib.learn.Estimator. You likely want to call "
                        "from_contrib_estimator.")
    return CoreEstimatorPredictor(estimator, serving_input_receiver_fn,
                                  output_key=output_key, graph=graph)


def from_contrib_estimator(estimator, prediction_input_fn, input_alternative_key=None,
                           output_alternative_key=None, graph=None):
    """A Predictor over a tf.contrib.learn Estimator's newest checkpoint."""
    if not isinstance(estimator, contrib_estimators.Estimator) and \
            isinstance(estimator, core_estimator.Estimator):
        raise TypeError("Espected estimator to be of type tf.contrib.learn.Estimator, but got "
                        "type tf.python.estimator.Estimator. You likely want to call "
                        "from_estimator.")
    return ContribEstimatorPredictor(estimator, prediction_input_fn,
                                     input_alternative_key=input_alternative_key,
                                     output_alternative_key=output_alternative_key,
                                     graph=graph)
