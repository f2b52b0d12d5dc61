"""tf.contrib.signal: TF 1.15's contrib name for tf.signal's framing, windows, STFT and mel /
MFCC functions (the same functions)."""
from tensorweave.util import lazy

__all__ = ["frame", "hamming_window", "hann_window", "inverse_stft", "inverse_stft_window_fn",
           "linear_to_mel_weight_matrix", "mfccs_from_log_mel_spectrograms", "overlap_and_add",
           "stft"]

__getattr__ = lazy.attributes(__name__, lazy.names_from("tensorweave.signal_ops", *__all__))
