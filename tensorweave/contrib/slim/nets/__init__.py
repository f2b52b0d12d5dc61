"""tf.contrib.slim.nets: TF-slim's model definitions as TF 1.15 has them, with its scope and
variable names, so checkpoints of the published slim models (vgg_16.ckpt, resnet_v1_50.ckpt,
...) restore into them: `alexnet` (alexnet_v2), `vgg` (vgg_a, vgg_16, vgg_19), `resnet_utils`,
`resnet_v1` and `resnet_v2` (50, 101, 152, 200 layers), `inception_v1`, `inception_v2`,
`inception_v3` (and `inception`, holding all three) and `overfeat`.

    with slim.arg_scope(vgg.vgg_arg_scope()):
        logits, end_points = vgg.vgg_16(images, num_classes=1000, is_training=False)
"""
from tensorweave.contrib.slim.nets import (alexnet, inception, inception_v1, inception_v2,
                                          inception_v3, overfeat, resnet_utils, resnet_v1,
                                          resnet_v2, vgg)

__all__ = ["alexnet", "inception", "inception_v1", "inception_v2", "inception_v3", "overfeat",
           "resnet_utils", "resnet_v1", "resnet_v2", "vgg"]
