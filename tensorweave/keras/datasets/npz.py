"""Reading .npz archives as data, never unpickling.

Plain arrays are read by NumPy with `allow_pickle=False`. NumPy stores an object array (imdb.npz
and reuters.npz hold arrays of Python lists of ints) as a pickle of the ndarray; those members
are decoded here by a small interpreter of the pickle opcodes that builds only plain values
(ints, floats, strings, bytes, lists, tuples, dicts) and recognises the three NumPy names that
rebuild an object array (`_reconstruct`, `ndarray`, `dtype`) without calling anything. Any other
reference to code in the stream is refused with DataLossError.

    arrays = npz.load("imdb.npz")          # {"x_train": object array of lists, ...}
"""
import ast
import io
import struct
import zipfile

import numpy as np

from tensorweave.core import errors

_NUMPY_NAMES = {
    ("numpy.core.multiarray", "_reconstruct"): "reconstruct",
    ("numpy._core.multiarray", "_reconstruct"): "reconstruct",
    ("numpy", "ndarray"): "ndarray",
    ("numpy", "dtype"): "dtype",
    ("_codecs", "encode"): "encode",
}


def _corrupt(path, message):
    return errors.DataLossError(None, None, f"Cannot read {path}: {message}")


class _Global:
    def __init__(self, name):
        self.name = name


class _Call:
    """An object the stream asks to build: a recognised NumPy name, its arguments and state."""

    def __init__(self, function, args):
        self.function = function
        self.args = args
        self.state = None


_MARK = object()


def _reduce(function, args, fail):
    if not isinstance(function, _Global):
        fail("calls something that is not a recognised NumPy name")
    if function.name == "encode":  # protocol 2 writes bytes as _codecs.encode(text, 'latin1')
        if (len(args) == 2 and isinstance(args[0], str) and args[1] in ("latin1", "latin-1")):
            return args[0].encode("latin1")
        fail("holds a _codecs.encode call other than latin1 text")
    return _Call(function.name, args)


def _decode_pickle(data, fail):  # noqa: C901 - one branch per opcode, flat on purpose
    """The value a pickle stream describes, built from plain Python values only."""
    stack, marks, memo = [], [], {}
    pos, end = 0, len(data)
    unpack = struct.unpack_from
    while pos < end:
        op = data[pos]
        pos += 1
        if op == 0x4B:                      # BININT1
            stack.append(data[pos])
            pos += 1
        elif op == 0x4D:                    # BININT2
            stack.append(data[pos] | data[pos + 1] << 8)
            pos += 2
        elif op == 0x4A:                    # BININT
            stack.append(unpack("<i", data, pos)[0])
            pos += 4
        elif op == 0x65:                    # APPENDS
            start = marks.pop()
            items = stack[start:]
            del stack[start:]
            stack[-1].extend(items)
        elif op == 0x28:                    # MARK
            marks.append(len(stack))
        elif op == 0x5D:                    # EMPTY_LIST
            stack.append([])
        elif op == 0x71:                    # BINPUT
            memo[data[pos]] = stack[-1]
            pos += 1
        elif op == 0x72:                    # LONG_BINPUT
            memo[unpack("<I", data, pos)[0]] = stack[-1]
            pos += 4
        elif op == 0x94:                    # MEMOIZE
            memo[len(memo)] = stack[-1]
        elif op == 0x61:                    # APPEND
            value = stack.pop()
            stack[-1].append(value)
        elif op == 0x68:                    # BINGET
            stack.append(memo[data[pos]])
            pos += 1
        elif op == 0x6A:                    # LONG_BINGET
            stack.append(memo[unpack("<I", data, pos)[0]])
            pos += 4
        elif op == 0x8A:                    # LONG1
            n = data[pos]
            stack.append(int.from_bytes(data[pos + 1:pos + 1 + n], "little", signed=True))
            pos += 1 + n
        elif op == 0x8B:                    # LONG4
            n = unpack("<i", data, pos)[0]
            stack.append(int.from_bytes(data[pos + 4:pos + 4 + n], "little", signed=True))
            pos += 4 + n
        elif op == 0x80:                    # PROTO
            pos += 1
        elif op == 0x95:                    # FRAME
            pos += 8
        elif op == 0x2E:                    # STOP
            if len(stack) != 1:
                fail("ends with a malformed stack")
            return stack[0]
        elif op == 0x4E:                    # NONE
            stack.append(None)
        elif op == 0x88:                    # NEWTRUE
            stack.append(True)
        elif op == 0x89:                    # NEWFALSE
            stack.append(False)
        elif op == 0x47:                    # BINFLOAT
            stack.append(unpack(">d", data, pos)[0])
            pos += 8
        elif op in (0x55, 0x43):            # SHORT_BINSTRING, SHORT_BINBYTES
            n = data[pos]
            raw = bytes(data[pos + 1:pos + 1 + n])
            stack.append(raw.decode("latin1") if op == 0x55 else raw)
            pos += 1 + n
        elif op in (0x54, 0x42):            # BINSTRING, BINBYTES
            n = unpack("<I", data, pos)[0]
            raw = bytes(data[pos + 4:pos + 4 + n])
            stack.append(raw.decode("latin1") if op == 0x54 else raw)
            pos += 4 + n
        elif op == 0x8E:                    # BINBYTES8
            n = unpack("<Q", data, pos)[0]
            stack.append(bytes(data[pos + 8:pos + 8 + n]))
            pos += 8 + n
        elif op == 0x8C:                    # SHORT_BINUNICODE
            n = data[pos]
            stack.append(bytes(data[pos + 1:pos + 1 + n]).decode("utf-8"))
            pos += 1 + n
        elif op == 0x58:                    # BINUNICODE
            n = unpack("<I", data, pos)[0]
            stack.append(bytes(data[pos + 4:pos + 4 + n]).decode("utf-8"))
            pos += 4 + n
        elif op == 0x8D:                    # BINUNICODE8
            n = unpack("<Q", data, pos)[0]
            stack.append(bytes(data[pos + 8:pos + 8 + n]).decode("utf-8"))
            pos += 8 + n
        elif op in (0x56, 0x53):            # UNICODE, STRING (protocol 0 text forms)
            line_end = data.index(b"\n", pos)
            raw = bytes(data[pos:line_end])
            pos = line_end + 1
            if op == 0x56:
                stack.append(raw.decode("raw-unicode-escape"))
            else:  # a quoted literal: parsed, never evaluated
                stack.append(ast.literal_eval("b" + raw.decode("ascii")).decode("latin1"))
        elif op in (0x49, 0x4C, 0x46, 0x70, 0x67):  # INT, LONG, FLOAT, PUT, GET (text forms)
            line_end = data.index(b"\n", pos)
            text = bytes(data[pos:line_end]).decode("ascii")
            pos = line_end + 1
            if op == 0x49:
                stack.append({"00": False, "01": True}.get(text) if text in ("00", "01")
                             else int(text))
            elif op == 0x4C:
                stack.append(int(text.rstrip("L")))
            elif op == 0x46:
                stack.append(float(text))
            elif op == 0x70:
                memo[int(text)] = stack[-1]
            else:
                stack.append(memo[int(text)])
        elif op == 0x29:                    # EMPTY_TUPLE
            stack.append(())
        elif op in (0x85, 0x86, 0x87):      # TUPLE1, TUPLE2, TUPLE3
            n = op - 0x84
            items = tuple(stack[-n:])
            del stack[-n:]
            stack.append(items)
        elif op in (0x74, 0x6C, 0x64):      # TUPLE, LIST, DICT (from the last mark)
            start = marks.pop()
            items = stack[start:]
            del stack[start:]
            if op == 0x74:
                stack.append(tuple(items))
            elif op == 0x6C:
                stack.append(list(items))
            else:
                stack.append(dict(zip(items[::2], items[1::2])))
        elif op == 0x7D:                    # EMPTY_DICT
            stack.append({})
        elif op == 0x73:                    # SETITEM
            value = stack.pop()
            key = stack.pop()
            stack[-1][key] = value
        elif op == 0x75:                    # SETITEMS
            start = marks.pop()
            items = stack[start:]
            del stack[start:]
            stack[-1].update(zip(items[::2], items[1::2]))
        elif op == 0x30:                    # POP
            if marks and marks[-1] == len(stack):
                marks.pop()
            else:
                stack.pop()
        elif op == 0x31:                    # POP_MARK
            del stack[marks.pop():]
        elif op == 0x32:                    # DUP
            stack.append(stack[-1])
        elif op in (0x63, 0x93):            # GLOBAL, STACK_GLOBAL
            if op == 0x63:
                first = data.index(b"\n", pos)
                second = data.index(b"\n", first + 1)
                module = bytes(data[pos:first]).decode("ascii")
                name = bytes(data[first + 1:second]).decode("ascii")
                pos = second + 1
            else:
                name = stack.pop()
                module = stack.pop()
            known = _NUMPY_NAMES.get((module, name))
            if known is None:
                fail(f"refers to {module}.{name}, which is not plain data (only NumPy's "
                     f"object-array names are accepted; the file is never unpickled)")
            stack.append(_Global(known))
        elif op == 0x52:                    # REDUCE
            args = stack.pop()
            function = stack.pop()
            stack.append(_reduce(function, args, fail))
        elif op == 0x81:                    # NEWOBJ
            args = stack.pop()
            cls = stack.pop()
            stack.append(_reduce(cls, args, fail))
        elif op == 0x62:                    # BUILD
            state = stack.pop()
            if not isinstance(stack[-1], _Call):
                fail("sets the state of a plain value")
            stack[-1].state = state
        else:
            fail(f"uses the pickle opcode {bytes([op])!r} at byte {pos - 1}, which is not "
                 f"plain data")
    fail("ends without a STOP opcode")
    return None


def _object_array(value, fail):
    """The object ndarray that `_reconstruct(ndarray, ...)` with its BUILD state describes."""
    if not (isinstance(value, _Call) and value.function == "reconstruct" and value.args and
            isinstance(value.args[0], _Global) and value.args[0].name == "ndarray"):
        fail("does not hold a NumPy array")
    state = value.state
    if not (isinstance(state, tuple) and len(state) == 5):
        fail("holds an array without its state")
    _, shape, dtype, fortran, items = state
    if not (isinstance(dtype, _Call) and dtype.function == "dtype" and dtype.args and
            str(dtype.args[0]).startswith("O")):
        fail("holds an array whose dtype is not object")
    shape = tuple(int(d) for d in shape)
    if not isinstance(items, list) or len(items) != int(np.prod(shape, dtype=np.int64)):
        fail(f"holds an object array of shape {shape} with the wrong number of items")
    for item in items:
        if isinstance(item, _Call):
            fail("holds an object array whose items are not plain Python values")
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array.reshape(shape, order="F" if fortran else "C")


def read_npy(stream, path, name):
    """The array in one .npy member (object arrays through the safe decoder)."""
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    if not dtype.hasobject:
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)

    def fail(message):
        raise _corrupt(path, f"member {name!r} {message}.")

    data = stream.read()
    try:
        array = _object_array(_decode_pickle(data, fail), fail)
    except (IndexError, KeyError, struct.error, ValueError, TypeError, AttributeError,
            UnicodeDecodeError, SyntaxError) as e:
        raise _corrupt(path, f"member {name!r} is not a well-formed object array "
                             f"({type(e).__name__}: {e}).") from None
    if array.shape != tuple(shape):
        fail(f"holds shape {array.shape} but its header says {tuple(shape)}")
    return array


def load(path):
    """{name: array} of every member of the .npz file `path`."""
    try:
        with zipfile.ZipFile(path) as archive:
            arrays = {}
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                name = info.filename[:-len(".npy")]
                with archive.open(info) as member:
                    arrays[name] = read_npy(io.BytesIO(member.read()), path, name)
            return arrays
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise _corrupt(path, f"it is not a readable .npz archive ({e}).") from None
