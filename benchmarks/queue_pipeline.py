"""Images per second through TF's CIFAR-10 tutorial input pipeline (FixedLengthRecordReader,
decode_raw, random crop/flip/brightness/contrast, per_image_standardization, shuffle_batch with
16 threads; no model) on tensorweave and on TensorFlow's compat.v1 over the same files.

    python benchmarks/queue_pipeline.py [--batches 60] [--rounds 2] [--tf-python PATH]

TensorFlow runs in a subprocess with a separate Python (as installed, and with
TF_ENABLE_ONEDNN_OPTS forced on and off); the ratio is tensorweave's rate over TensorFlow's
(above 1: tensorweave is faster). The pipeline code is tests/cifar_files.py, shared with the
acceptance test.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TENSORWEAVE_ACCEL", "1")

REPO = Path(__file__).resolve().parents[1]
BATCH = 128


def measure(tf, directory, batches):
    """Images per second fetching `batches` batches after a warm-up of 5."""
    sys.path.insert(0, str(REPO / "tests"))
    from cifar_files import distorted_inputs
    files = sorted(str(p) for p in Path(directory).glob("data_batch_*.bin"))
    with tf.Graph().as_default():
        images, labels = distorted_inputs(tf, files, batch_size=BATCH)
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            for _ in range(5):
                sess.run([images, labels])
            start = time.perf_counter()
            for _ in range(batches):
                sess.run([images, labels])
            seconds = time.perf_counter() - start
            coord.request_stop()
            sess.close()  # cancels the runners' pending enqueues
            coord.join(threads, ignore_live_threads=True, stop_grace_period_secs=5)
    return {"images_per_second": batches * BATCH / seconds}


def tensorflow_rate(python, directory, batches, onednn):
    if not python or not Path(python).exists():
        return None
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    if onednn is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = str(int(onednn))
    done = subprocess.run([python, __file__, "--impl", "tensorflow", "--dir", str(directory),
                           "--batches", str(batches)], capture_output=True, text=True, env=env,
                          timeout=900)
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])["images_per_second"]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tf-python", default=os.environ.get("TENSORWEAVE_TF_PYTHON",
                                                              "/opt/tfref/bin/python"))
    parser.add_argument("--dir", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--impl", choices=["tensorweave", "tensorflow"], default="tensorweave",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.impl == "tensorflow":
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        print(json.dumps(measure(tf, args.dir, args.batches)))
        return
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "tests"))
    import tensorweave as tf
    from cifar_files import write_records
    with tempfile.TemporaryDirectory() as tmp:
        write_records(Path(tmp), files=5, per_file=1000)
        ours, theirs = 0.0, {"as installed": 0.0, "oneDNN on": 0.0, "oneDNN off": 0.0}
        for _ in range(args.rounds):
            ours = max(ours, measure(tf, tmp, args.batches)["images_per_second"])
            for label, onednn in (("as installed", None), ("oneDNN on", True),
                                  ("oneDNN off", False)):
                rate = tensorflow_rate(args.tf_python, tmp, args.batches, onednn)
                theirs[label] = max(theirs[label], rate or 0.0)
    print(f"CIFAR-10 queue pipeline, batch {BATCH}, 16 reader threads, load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"  tensorweave              {ours:10.0f} images/s")
    for label, rate in theirs.items():
        if rate:
            print(f"  tensorflow {label:13} {rate:10.0f} images/s   ratio {ours / rate:5.2f}")


if __name__ == "__main__":
    main()
