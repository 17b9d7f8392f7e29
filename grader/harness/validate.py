"""Turn values returned by student code into plain, checked data before the harness uses them (P3).

Never compare a student-returned object directly: it may be a NaN, a numpy scalar of the wrong kind, an
``int`` subclass, or an object that overrides ``__ge__``. These helpers accept exactly the plain types a
correct solution returns, convert them, and otherwise fail the check with a message naming the value.
"""

from __future__ import annotations

import math

import numpy as np


class InvalidOutput(AssertionError):
    """A value returned by the implementation under test has the wrong type, shape or range."""


_NUMPY_INTS = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64)
_NUMPY_FLOATS = (np.float16, np.float32, np.float64)


def _describe(value: object) -> str:
    text = repr(value) if type(value) in (int, float, str, bool) else f"a {type(value).__name__}"
    return text if len(text) < 60 else text[:57] + "..."


def as_int(value: object, what: str, low: int, high: int) -> int:
    """``value`` as a plain int in ``[low, high)``; accepts ``int``, numpy integers and 0-d integer arrays."""
    if type(value) is np.ndarray and value.shape == () and value.dtype.type in _NUMPY_INTS:
        value = value.item()
    if type(value) is int or type(value) in _NUMPY_INTS:
        result = int(value)
    else:
        raise InvalidOutput(f"{what} must be an int, got {_describe(value)}")
    if not low <= result < high:
        raise InvalidOutput(f"{what} must be in [{low}, {high - 1}], got {result}")
    return result


def _as_real(value: object, what: str) -> float:
    """``value`` as a plain float (possibly inf or nan); accepts Python/numpy reals and 0-d real arrays."""
    if type(value) is np.ndarray and value.shape == () and value.dtype.type in _NUMPY_INTS + _NUMPY_FLOATS:
        value = value.item()
    if type(value) in (int, float) or type(value) in _NUMPY_INTS + _NUMPY_FLOATS:
        return float(value)
    raise InvalidOutput(f"{what} must be a number, got {_describe(value)}")


def as_float(value: object, what: str) -> float:
    """``value`` as a finite plain float; accepts Python/numpy reals and 0-d real arrays."""
    result = _as_real(value, what)
    if not math.isfinite(result):
        raise InvalidOutput(f"{what} must be finite, got {result}")
    return result


def as_float_array(value: object, what: str, shape: tuple[int, ...], allow_posinf: bool = False) -> np.ndarray:
    """``value`` as a finite float64 array of exactly ``shape``; accepts lists/tuples and numeric arrays.
    With ``allow_posinf``, ``+inf`` entries are accepted too (e.g. UCB scores of untried arms)."""
    if type(value) is np.ndarray:
        if value.dtype.type not in _NUMPY_INTS + _NUMPY_FLOATS:
            raise InvalidOutput(f"{what} must hold numbers, got dtype {value.dtype}")
        array = value.astype(np.float64)
    elif type(value) in (list, tuple):
        items = [_as_real(v, f"each entry of {what}") for v in _flatten(value)]
        nested = _nested_shape(value)
        if math.prod(nested) != len(items):
            raise InvalidOutput(f"{what} must be a rectangular nested list of shape {tuple(shape)}")
        array = np.asarray(items, dtype=np.float64).reshape(nested)
    else:
        raise InvalidOutput(f"{what} must be a numpy array or a list, got {_describe(value)}")
    if array.shape != tuple(shape):
        raise InvalidOutput(f"{what} must have shape {tuple(shape)}, got {array.shape}")
    bad = np.isnan(array) | (array == -np.inf) | (~allow_posinf & (array == np.inf))
    if np.any(bad):
        allowed = "finite or +inf" if allow_posinf else "finite"
        raise InvalidOutput(f"{what} must be {allowed}, got {array}")
    return array


def _flatten(value: list | tuple) -> list:
    out: list = []
    for v in value:
        out.extend(_flatten(v) if type(v) in (list, tuple) else [v])
    return out


def _nested_shape(value: list | tuple) -> tuple[int, ...]:
    shape: list[int] = []
    while type(value) in (list, tuple):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def as_bool(value: object, what: str) -> bool:
    """``value`` if it is exactly ``True`` or ``False`` (a numpy bool is refused: wrap it with ``bool()``)."""
    if type(value) is not bool:
        kind = type(value).__qualname__
        kind = kind if type(value).__module__ == "builtins" else f"{type(value).__module__}.{kind}"
        raise InvalidOutput(
            f"{what} must be a plain bool (True or False), got {kind} {value!r}; convert it with bool(...)"
        )
    return value


def as_tensor_array(value: object, what: str, shape: tuple[int, ...], kind: str = "float") -> np.ndarray:
    """``value`` as a finite float64 numpy copy, if it is exactly a ``torch.Tensor`` (or ``nn.Parameter``) of
    ``shape`` whose dtype is of ``kind`` (``"float"``: float32/float64; ``"int64"``); otherwise fail naming ``what``."""
    import torch

    dtypes = {"float": (torch.float32, torch.float64), "int64": (torch.int64,)}[kind]
    if type(value) not in (torch.Tensor, torch.nn.Parameter):
        raise InvalidOutput(f"{what} must be a torch.Tensor, got {_describe(value)}")
    if tuple(value.shape) != tuple(shape):
        raise InvalidOutput(f"{what} must have shape {tuple(shape)}, got {tuple(value.shape)}")
    if value.dtype not in dtypes:
        raise InvalidOutput(f"{what} must have dtype {' or '.join(str(d) for d in dtypes)}, got {value.dtype}")
    array = value.detach().cpu().numpy().astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise InvalidOutput(f"{what} must be finite, got {array}")
    return array


def as_named_parameters(net: object, what: str) -> dict[str, np.ndarray]:
    """``net.named_parameters()`` of a (student) torch module as ``{name: float64 copy}``, in order, validated."""
    import torch

    params = list(net.named_parameters())  # type: ignore[attr-defined]
    if not params:
        raise InvalidOutput(f"{what} has no parameters")
    named: dict[str, np.ndarray] = {}
    for item in params:
        if type(item) is not tuple or len(item) != 2 or type(item[0]) is not str or item[0] in named:
            raise InvalidOutput(f"{what}.named_parameters() must yield (name, parameter) pairs with distinct names")
        name, value = item
        shape = tuple(value.shape) if type(value) in (torch.Tensor, torch.nn.Parameter) else ()
        named[name] = as_tensor_array(value, f"{what}.{name}", shape)
    return named


# -- comparing floats a student returned: tolerances scaled to their dtype, messages to the digits that differ --

FLOAT32_ROUNDINGS = 64  # float32 roundings allowed per value: hundreds of operations, far below any bug


def float_resolution(value: object) -> float:
    """The relative spacing of the floats in a returned value: 2⁻²³ for float32 (a numpy array or scalar, or a
    torch tensor), 2⁻¹⁰ for float16, else float64's 2⁻⁵² (also for Python floats and lists of them)."""
    dtype = getattr(value, "dtype", None)
    name = str(dtype).removeprefix("torch.") if dtype is not None else "float64"
    return {"float32": 2.0**-23, "float16": 2.0**-10, "bfloat16": 2.0**-7}.get(name, 2.0**-52)


def float_tolerance(value: object, atol: float, scale: float = 1.0) -> float:
    """The absolute tolerance for comparing ``value`` (as the student returned it) with expected numbers of
    magnitude ``scale``: ``atol`` (set for float64 arithmetic), widened to :data:`FLOAT32_ROUNDINGS` roundings when
    ``value`` holds float32 — a docstring's "float array" may be either."""
    resolution = float_resolution(value)
    return atol if resolution <= 2.0**-52 else max(atol, FLOAT32_ROUNDINGS * resolution * max(1.0, abs(scale)))


def distinct_digits(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` printed with the fewest significant digits (at least 4) that tell them apart."""
    for digits in range(4, 18):
        x, y = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if x != y:
            return x, y
    return repr(a), repr(b)


def mismatch(got: np.ndarray, expected: np.ndarray, value: object, name: str = "") -> str:
    """The entry of ``got`` farthest from ``expected``, both to the digits that differ, with a note when the dtype
    of ``value`` (what the student returned) explains the difference; e.g. ``q[2] = 1.4441 (expected 1.4442)``."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    error = np.abs(got - expected)
    index = np.unravel_index(int(np.argmax(error)), got.shape) if got.ndim else ()
    where = f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name
    mine, want = distinct_digits(float(got[index]), float(expected[index]))
    text = f"{where} = {mine} (expected {want}, difference {float(error[index]):.2g})"
    dtype = str(getattr(value, "dtype", "")).removeprefix("torch.")
    scale = float(np.max(np.abs(expected), initial=1.0))
    if dtype.startswith(("int", "uint", "bool")):
        text += f"; it holds {dtype} values, so every fraction is cut off: use a float array"
    elif dtype in ("float16", "bfloat16"):
        text += f"; it holds {dtype} values (3 significant digits): use float64 or float32"
    elif float_resolution(value) <= 2.0**-52 and 0 < float(np.max(error)) <= float_tolerance(np.float32(0), 0.0, scale):
        text += "; a difference this small is typical of float32 rounding: compute in float64 throughout"
    return text


def close(got: np.ndarray, expected: object, value: object, atol: float, rtol: float = 0.0) -> bool:
    """Whether ``got`` (the validated copy of ``value``) is within ``rtol · |expected|`` + the dtype-scaled
    :func:`float_tolerance` of ``expected`` everywhere (infinities must match exactly)."""
    expected = np.asarray(expected, dtype=np.float64)
    scale = float(np.max(np.abs(expected[np.isfinite(expected)]), initial=1.0))
    return bool(np.allclose(got, expected, rtol=rtol, atol=float_tolerance(value, atol, scale)))


def matching_cause(got: np.ndarray, causes: dict[str, object], atol: float) -> str:
    """A hint only when the numbers single it out: ``"; that is what <cause> gives"`` for the one entry of
    ``causes`` (cause -> the output it would produce) that ``got`` equals within ``atol``, else ``""``."""
    got = np.asarray(got, dtype=np.float64)
    hits = [
        cause
        for cause, output in causes.items()
        if np.shape(output) == got.shape and np.allclose(got, np.asarray(output, dtype=np.float64), rtol=0, atol=atol)
    ]
    return f"; that is what {hits[0]} gives" if len(hits) == 1 else ""


def assert_close(value: object, expected: object, what: str, atol: float = 1e-6, hint: str = "") -> np.ndarray:
    """``value`` validated as a float array of ``expected``'s shape and within ``atol`` of it (an
    :class:`InvalidOutput` or an ``AssertionError`` naming the entry that differs, then ``hint``); the array."""
    expected = np.asarray(expected, dtype=np.float64)
    got = as_float_array(value, what, expected.shape)
    assert close(got, expected, value, atol), f"{mismatch(got, expected, value, what)}{hint}"
    return got
