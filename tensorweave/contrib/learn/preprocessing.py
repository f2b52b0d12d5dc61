"""tf.contrib.learn.preprocessing: TF 1.x's text preprocessing for its examples.

    vocab = VocabularyProcessor(max_document_length=10)
    ids = np.array(list(vocab.fit_transform(["Google is a company."])))   # int64 [1, 10]
    len(vocab.vocabulary_)        # the words seen, plus '<UNK>' (id 0, also the padding)
    ByteProcessor(100).transform(["abc"])   # each document as 100 uint8 bytes, 0-padded

As TF's: words are found by TOKENIZER_RE, ids are given in order of first appearance (after
min_frequency trimming: by frequency, then by word), documents are cut or zero-padded to
max_document_length, and unknown words map to 0 once the vocabulary is frozen by fit.
"""
import collections
import json
import re

import numpy as np

from tensorweave.core import errors

__all__ = ["CategoricalVocabulary", "ByteProcessor", "VocabularyProcessor", "tokenizer",
           "TOKENIZER_RE"]

_SAVED_FORMAT = "tensorweave VocabularyProcessor 1"
TOKENIZER_RE = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z][a-z]+(?=[A-Z])|[\'\w\-]+", re.UNICODE)


def tokenizer(iterator):
    """The tokens (TOKENIZER_RE's matches) of each string."""
    for value in iterator:
        yield TOKENIZER_RE.findall(value)


class CategoricalVocabulary:
    """Maps categories to ids 1.. in order of first sight; the unknown token is 0."""

    def __init__(self, unknown_token="<UNK>", support_reverse=True):
        self._unknown_token = unknown_token
        self._mapping = {unknown_token: 0}
        self._support_reverse = support_reverse
        self._reverse_mapping = [unknown_token] if support_reverse else None
        self._freq = collections.defaultdict(int)
        self._freeze = False

    def to_data(self):
        """The vocabulary as JSON-ready data (from_data makes it again)."""
        return {"unknown_token": self._unknown_token, "support_reverse": self._support_reverse,
                "categories": sorted(([c, i] for c, i in self._mapping.items()),
                                     key=lambda pair: pair[1]),
                "frequencies": [[c, n] for c, n in self._freq.items()],
                "frozen": self._freeze}

    @classmethod
    def from_data(cls, data):
        """The vocabulary to_data described."""
        vocabulary = cls(data["unknown_token"], bool(data["support_reverse"]))
        vocabulary._mapping = {c: int(i) for c, i in data["categories"]}
        if vocabulary._support_reverse:
            vocabulary._reverse_mapping = [c for c, _ in data["categories"]]
        vocabulary._freq.update({c: int(n) for c, n in data["frequencies"]})
        vocabulary._freeze = bool(data["frozen"])
        return vocabulary

    def __len__(self):
        """The number of categories, the unknown token included."""
        return len(self._mapping)

    def freeze(self, freeze=True):
        """After freezing, new categories get the unknown token's id 0."""
        self._freeze = freeze

    def get(self, category):
        """The category's id (a new one unless frozen)."""
        if category not in self._mapping:
            if self._freeze:
                return 0
            self._mapping[category] = len(self._mapping)
            if self._support_reverse:
                self._reverse_mapping.append(category)
        return self._mapping[category]

    def add(self, category, count=1):
        """Counts the category (giving it an id if new)."""
        if self.get(category) <= 0:
            return
        self._freq[category] += count

    def trim(self, min_frequency, max_frequency=-1):
        """Keeps categories seen more than min_frequency times (and fewer than max_frequency
        when > 0), renumbered 1.. by descending frequency, then by category."""
        ordered = sorted(sorted(self._freq.items(), key=lambda kv: (isinstance(kv[0], str),
                                                                    kv[0])),
                         key=lambda kv: kv[1], reverse=True)
        self._mapping = {self._unknown_token: 0}
        if self._support_reverse:
            self._reverse_mapping = [self._unknown_token]
        idx = 1
        for category, count in ordered:
            if max_frequency > 0 and count >= max_frequency:
                continue
            if count <= min_frequency:
                break
            self._mapping[category] = idx
            idx += 1
            if self._support_reverse:
                self._reverse_mapping.append(category)
        self._freq = dict(ordered[:idx - 1])

    def reverse(self, class_id):
        """The category of an id."""
        if not self._support_reverse:
            raise ValueError("This vocabulary wasn't initialized with support_reverse to "
                             "support reverse() function.")
        return self._reverse_mapping[class_id]


class ByteProcessor:
    """Documents as their UTF-8 bytes, cut or zero-padded to max_document_length."""

    def __init__(self, max_document_length):
        self.max_document_length = max_document_length

    def fit(self, x):
        """Nothing to learn."""

    def fit_transform(self, x):
        """transform(x)."""
        return self.transform(x)

    def transform(self, x):
        """Yields a uint8 array [max_document_length] per document."""
        for document in x:
            if isinstance(document, str):
                document = document.encode("utf-8")
            buff = np.frombuffer(memoryview(document)[:self.max_document_length],
                                 dtype=np.uint8)
            yield np.pad(buff, (0, self.max_document_length - len(buff)), "constant")

    def reverse(self, x):
        """Yields the text of each row of byte ids (trailing zeros dropped; '' when the bytes
        are not UTF-8)."""
        for data in x:
            document = np.trim_zeros(np.asarray(data).astype(np.int8), trim="b").tobytes()
            try:
                yield document.decode("utf-8")
            except UnicodeDecodeError:
                yield ""


class VocabularyProcessor:
    """Documents as sequences of word ids (int64 [max_document_length], 0-padded)."""

    def __init__(self, max_document_length, min_frequency=0, vocabulary=None,
                 tokenizer_fn=None):
        self.max_document_length = max_document_length
        self.min_frequency = min_frequency
        self.vocabulary_ = vocabulary if vocabulary else CategoricalVocabulary()
        self._tokenizer = tokenizer_fn if tokenizer_fn else tokenizer

    def fit(self, raw_documents, unused_y=None):
        """Learns the vocabulary of the documents' tokens, then freezes it; returns self."""
        for tokens in self._tokenizer(raw_documents):
            for token in tokens:
                self.vocabulary_.add(token)
        if self.min_frequency > 0:
            self.vocabulary_.trim(self.min_frequency)
        self.vocabulary_.freeze()
        return self

    def fit_transform(self, raw_documents, unused_y=None):
        """fit, then transform."""
        self.fit(raw_documents)
        return self.transform(raw_documents)

    def transform(self, raw_documents):
        """Yields the word ids of each document."""
        for tokens in self._tokenizer(raw_documents):
            word_ids = np.zeros(self.max_document_length, np.int64)
            for idx, token in enumerate(tokens):
                if idx >= self.max_document_length:
                    break
                word_ids[idx] = self.vocabulary_.get(token)
            yield word_ids

    def reverse(self, documents):
        """Yields each row of ids as its words joined by spaces."""
        for item in documents:
            yield " ".join(self.vocabulary_.reverse(class_id) for class_id in item)

    def save(self, filename):
        """Writes the processor to filename as JSON data (TF pickles it; tensorweave never
        writes or reads pickles, whose loading runs code from the file). A custom
        tokenizer_fn is code, not data: such a processor is refused."""
        if self._tokenizer is not tokenizer:
            raise ValueError("VocabularyProcessor.save: a custom tokenizer_fn cannot be saved "
                             "as data; tensorweave saves processors with the default tokenizer")
        state = {"format": _SAVED_FORMAT, "max_document_length": self.max_document_length,
                 "min_frequency": self.min_frequency, "vocabulary": self.vocabulary_.to_data()}
        with open(filename, "w", encoding="utf-8") as f:
            json.dump(state, f)

    @classmethod
    def restore(cls, filename):
        """The processor saved in filename by save(); DataLossError for anything else (a
        pickle written by TensorFlow included)."""
        try:
            with open(filename, encoding="utf-8") as f:
                state = json.load(f)
            if state.get("format") != _SAVED_FORMAT:
                raise ValueError("not a saved VocabularyProcessor")
            vocabulary = CategoricalVocabulary.from_data(state["vocabulary"])
            return cls(int(state["max_document_length"]), int(state["min_frequency"]),
                       vocabulary)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise errors.DataLossError(
                None, None, f"{filename} is not a vocabulary tensorweave saved ({e}); "
                "TensorFlow's are Python pickles, which tensorweave never loads (loading "
                "a pickle runs code from the file)") from None
