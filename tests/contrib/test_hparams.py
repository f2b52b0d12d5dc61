"""tf.contrib.training.HParams: parsing, type checks and serialization as TF 1.15 documents."""
import pytest

import tensorweave as tf

HParams = tf.contrib.training.HParams


def test_values_parse_and_types():
    hparams = HParams(learning_rate=0.1, num_hidden_units=100, activation="relu",
                      layers=[3, 4], use_bias=True)
    assert hparams.learning_rate == 0.1 and hparams.layers == [3, 4]
    assert hparams.parse("learning_rate=0.3,num_hidden_units=7,activation=tanh,"
                         "layers=[5 6, 7],use_bias=false") is hparams
    assert hparams.values() == {"learning_rate": 0.3, "num_hidden_units": 7,
                                "activation": "tanh", "layers": [5, 6, 7], "use_bias": False}
    hparams.parse("learning_rate=2")  # an int is a fine float
    assert hparams.learning_rate == 2.0 and isinstance(hparams.learning_rate, float)
    hparams.parse("use_bias=1")
    assert hparams.use_bias is True
    assert "layers" in hparams and "nothing" not in hparams
    assert str(hparams).startswith("[('activation', 'tanh'), ")
    assert repr(hparams).startswith("HParams([")


@pytest.mark.parametrize("text, message", [
    ("num_hidden_units=0.5", "Could not parse hparam 'num_hidden_units' of type 'int' with "
                             "value '0.5' in num_hidden_units=0.5"),
    ("unknown=1", "Unknown hyperparameter type for unknown"),
    ("learning_rate=1,learning_rate=2", "Multiple assignments to variable 'learning_rate'"),
    ("learning_rate=[1,2]", "Must not pass a list for single-valued parameter: learning_rate"),
    ("layers=3", "Must pass a list for multi-valued parameter: layers."),
    ("=3", "Malformed hyperparameter value: =3"),
])
def test_parse_errors(text, message):
    hparams = HParams(learning_rate=0.1, num_hidden_units=100, layers=[3, 4])
    with pytest.raises(ValueError) as e:
        hparams.parse(text)
    assert message in str(e.value)


def test_set_add_delete_and_type_checks():
    hparams = HParams(n=1, name="a", flag=False, rate=0.5)
    hparams.set_hparam("n", 3)
    with pytest.raises(ValueError, match="Could not cast hparam 'n' of type"):
        hparams.set_hparam("n", 2.5)  # float to int
    with pytest.raises(ValueError, match="Could not cast hparam 'name'"):
        hparams.set_hparam("name", 3)  # number to string
    with pytest.raises(ValueError, match="Could not cast hparam 'flag'"):
        hparams.set_hparam("flag", 1)  # number to bool
    with pytest.raises(ValueError, match="Could not cast hparam 'rate'"):
        hparams.set_hparam("rate", True)  # bool to number
    with pytest.raises(KeyError):
        hparams.set_hparam("missing", 1)
    hparams.add_hparam("extra", [1.5])
    with pytest.raises(ValueError, match="Hyperparameter name is reserved: values"):
        hparams.add_hparam("values", 1)
    with pytest.raises(ValueError, match="Multi-valued hyperparameters cannot be empty: e"):
        hparams.add_hparam("e", [])
    hparams.del_hparam("extra")
    assert "extra" not in hparams and not hasattr(hparams, "extra")
    assert hparams.get("n") == 3 and hparams.get("missing", 7) == 7
    with pytest.raises(ValueError, match="is incompatible with default=x"):
        hparams.get("n", "x")
    hparams.override_from_dict({"n": 9, "rate": 1})
    assert hparams.n == 9 and hparams.rate == 1.0


def test_json_round_trip_and_model_structure():
    hparams = HParams(a=1, b=[0.5, 1.5], c="x", fn=len, model_structure={"k": 1})
    assert hparams.to_json(sort_keys=True) == '{"a": 1, "b": [0.5, 1.5], "c": "x"}'
    other = HParams(a=0, b=[0.0], c="", fn=len)
    other.parse_json('{"a": 1, "b": [0.5, 1.5], "c": "x"}')
    assert other.values() == {**hparams.values()}
    assert hparams.get_model_structure() == {"k": 1}
    assert tf.contrib.training.parse_values("x=1,y=[a,b]", {"x": int, "y": str}) == \
        {"x": 1, "y": ["a", "b"]}
    assert tf.contrib.training.parse_values("x[1]=3,x[2]=4", {"x": int}) == {"x": {1: 3, 2: 4}}
    assert tf.contrib.training.parse_values("z=1,x=2", {"x": int}, ignore_unknown=True) == \
        {"x": 2}
