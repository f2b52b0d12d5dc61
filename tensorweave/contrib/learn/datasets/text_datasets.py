"""tf.contrib.learn.datasets.text_datasets: DBpedia (TF 1.x's load_dbpedia).

    dbpedia = load_dbpedia(test_with_fake_data=True)   # TF's three-row fake data
    dbpedia.train.data[:, 1], dbpedia.train.target      # descriptions, int32 classes

With test_with_fake_data the rows come from data/text_train.csv and data/text_test.csv (the
files TF shipped for its examples' tests); otherwise dbpedia_csv.tar.gz is downloaded into
$TF_EXP_BASE_DIR/dbpedia_data and, for size 'small', every 1000th row is kept.
"""
import os

import numpy as np

from tensorweave.contrib.learn.datasets import base
from tensorweave.keras.utils import data_utils

__all__ = ["DBPEDIA_URL", "maybe_download_dbpedia", "load_dbpedia"]

DBPEDIA_URL = "https://github.com/le-scientifique/torchDatasets/raw/master/dbpedia_csv.tar.gz"


def maybe_download_dbpedia(data_dir):
    """Downloads and extracts dbpedia_csv.tar.gz into data_dir unless train.csv is there."""
    train_path = os.path.join(data_dir, "dbpedia_csv", "train.csv")
    test_path = os.path.join(data_dir, "dbpedia_csv", "test.csv")
    if not (os.path.exists(train_path) and os.path.exists(test_path)):
        archive = base.maybe_download("dbpedia_csv.tar.gz", data_dir, DBPEDIA_URL)
        # member by checked member: none may write outside data_dir
        data_utils.extract_archive(archive, data_dir, "tar")


def load_dbpedia(size="small", test_with_fake_data=False):
    """Datasets(train, None, test): data [n, 2] (title, description) as str, target int32."""
    if not test_with_fake_data:
        data_dir = os.path.join(os.getenv("TF_EXP_BASE_DIR", ""), "dbpedia_data")
        maybe_download_dbpedia(data_dir)
        train_path = os.path.join(data_dir, "dbpedia_csv", "train.csv")
        test_path = os.path.join(data_dir, "dbpedia_csv", "test.csv")
        if size == "small":
            base.shrink_csv(train_path, 1000)
            base.shrink_csv(test_path, 1000)
            train_path = train_path.replace("train.csv", "train_small.csv")
            test_path = test_path.replace("test.csv", "test_small.csv")
    else:
        module_path = os.path.dirname(__file__)
        train_path = os.path.join(module_path, "data", "text_train.csv")
        test_path = os.path.join(module_path, "data", "text_test.csv")
    train = base.load_csv_without_header(train_path, target_dtype=np.int32,
                                         features_dtype=np.str_, target_column=0)
    test = base.load_csv_without_header(test_path, target_dtype=np.int32,
                                        features_dtype=np.str_, target_column=0)
    return base.Datasets(train=train, validation=None, test=test)
