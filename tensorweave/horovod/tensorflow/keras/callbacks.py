"""`horovod.tensorflow.keras.callbacks`: the callbacks of tensorweave.horovod.keras."""
from tensorweave.horovod.keras.callbacks import *  # noqa: F401,F403
from tensorweave.horovod.keras.callbacks import __all__  # noqa: F401
