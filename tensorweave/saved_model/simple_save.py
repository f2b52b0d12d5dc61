"""tf.saved_model.simple_save: a SavedModel for serving in one call."""
from tensorweave.core.graph import GraphKeys
from tensorweave.saved_model import builder as builder_module
from tensorweave.saved_model import signature_constants, signature_def_utils, tag_constants


def simple_save(session, export_dir, inputs, outputs, legacy_init_op=None):
    """Writes session's graph and variables as a SavedModel tagged "serve" with one predict
    signature "serving_default" of {key: Tensor} `inputs` and `outputs`; assets come from
    the ASSET_FILEPATHS collection and devices are cleared.

        tf.saved_model.simple_save(sess, "/tmp/model/1", inputs={"x": x}, outputs={"y": y})
    """
    signature_def_map = {signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
                         signature_def_utils.predict_signature_def(inputs, outputs)}
    builder = builder_module.SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(
        session, tags=[tag_constants.SERVING], signature_def_map=signature_def_map,
        assets_collection=session.graph.get_collection(GraphKeys.ASSET_FILEPATHS),
        main_op=legacy_init_op, clear_devices=True)
    builder.save()
