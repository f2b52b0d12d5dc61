"""tf.dtypes: the dtype objects and conversions (the top-level names).

Names load on first use from where they are defined; most are the top-level `tf.` names.
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "DType": "tensorweave:DType",
    "QUANTIZED_DTYPES": "tensorweave:QUANTIZED_DTYPES",
    "as_dtype": "tensorweave:as_dtype",
    "as_string": "tensorweave:as_string",
    "bfloat16": "tensorweave:bfloat16",
    "bool": "tensorweave:bool",
    "cast": "tensorweave:cast",
    "complex": "tensorweave:complex",
    "complex128": "tensorweave:complex128",
    "complex64": "tensorweave:complex64",
    "double": "tensorweave:double",
    "float16": "tensorweave:float16",
    "float32": "tensorweave:float32",
    "float64": "tensorweave:double",
    "half": "tensorweave:float16",
    "int16": "tensorweave:int16",
    "int32": "tensorweave:int32",
    "int64": "tensorweave:int64",
    "int8": "tensorweave:int8",
    "qint16": "tensorweave:qint16",
    "qint32": "tensorweave:qint32",
    "qint8": "tensorweave:qint8",
    "quint16": "tensorweave:quint16",
    "quint8": "tensorweave:quint8",
    "resource": "tensorweave:resource",
    "saturate_cast": "tensorweave:saturate_cast",
    "string": "tensorweave:string",
    "uint16": "tensorweave:uint16",
    "uint32": "tensorweave:uint32",
    "uint64": "tensorweave:uint64",
    "uint8": "tensorweave:uint8",
    "variant": "tensorweave:variant",
    "as_string": "tensorweave.ops.string_ops:as_string",
})
