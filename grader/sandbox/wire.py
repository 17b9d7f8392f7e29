"""The data-only wire format between the trusted grader and the sandboxed child (design P3, P7).

A message is one frame: an 8-byte header (JSON length, number of binary blobs), the 8-byte length of each
blob, a JSON document, then the blobs. Nothing is ever unpickled: the JSON holds plain values and tagged
objects, and arrays travel as raw bytes in blobs whose dtype comes from a short allow-list (torch's
``bfloat16`` travels as the 16 bits of each value).

A JSON object without the key ``$t`` is a dict with string keys. Tagged objects (a JSON object with the key
``$t``): ``tuple``, ``dict`` (any other dict: items as pairs, so keys may be any value), ``float`` (nan/inf),
``nd`` (numpy array), ``np`` (numpy scalar), ``tensor`` (torch tensor: values and ``requires_grad``), ``rng``
(a numpy ``Generator``, copied by its PCG64 state), ``space`` (a Gymnasium ``Discrete`` or ``Box``: one copy
per space, whose generator continues the original's), and ``ref`` (a handle to an object that stays on the
side that owns it). A side may accept more tags (the child accepts the grader's torch modules, see
:mod:`grader.sandbox.modules`). The ``Encoder`` of each side decides which objects become handles; the
decoder turns handles into proxies.
"""

from __future__ import annotations

import json
import math
import select
import socket
import struct
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

HEADER = struct.Struct("!II")
BLOB = struct.Struct("!Q")
PLAIN = frozenset({bool, int, str, type(None)})  # Python values that are their own JSON (finite floats are not: nan)
PLAIN_JSON = frozenset({bool, int, float, str, type(None)})  # JSON values that decode to themselves
TO_JSON = json.JSONEncoder(allow_nan=True, separators=(",", ":")).encode
FROM_JSON = json.JSONDecoder().decode
DTYPES = frozenset(
    {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64"}
    | {"complex64", "complex128"}
)
WIRE_DTYPES = {name: np.dtype(name).newbyteorder("<") for name in DTYPES}  # blobs are little-endian
DTYPE_NAMES = {np.dtype(name): name for name in DTYPES}  # ``dtype.name`` is slow Python code in numpy


def dtype_name(dtype: np.dtype) -> str | None:
    """The wire name of an allowed dtype (either byte order), ``None`` for any other."""
    return DTYPE_NAMES.get(dtype) or DTYPE_NAMES.get(dtype.newbyteorder("="))


class WireError(Exception):
    """The peer sent something that is not a well-formed message, or went away."""


class PeerGone(WireError):
    """The peer closed the connection (it exited or was killed)."""


class Deadline(WireError):
    """No complete message arrived before the deadline."""


class TooLarge(WireError):
    """A message larger than the reader accepts (refused from its header, before it is read)."""


#: While waiting for a message, ``Channel.watch`` is called at least this often (seconds of wall time).
WATCH_SECONDS = 0.25


def frame(doc: Any, blobs: list[bytes]) -> bytes:
    """The bytes of one message: header, the length of each blob, the JSON document, then the blobs."""
    text = TO_JSON(doc).encode()
    sizes = struct.pack(f"!{len(blobs)}Q", *(len(blob) for blob in blobs))
    return b"".join([HEADER.pack(len(text), len(blobs)), sizes, text, *blobs])


class Channel:
    """Frames over a stream socket. ``read`` takes as many bytes as are available, so frames that arrive
    together are decoded without further reads. A side waiting for a frame sleeps in the kernel: it never spins,
    so on a busy machine it leaves its core to the other side (design P9: few crossings, not fast ones).

    A frame may hold at most ``max_bytes`` in all and ``max_json`` of JSON (which costs the reader up to ~40
    times its size once decoded; arrays cost their size); a larger one is refused from its header
    (:class:`TooLarge`). ``watch``, if set, is called every :data:`WATCH_SECONDS` while waiting and may raise."""

    def __init__(self, sock: socket.socket, max_bytes: int, max_json: int | None = None) -> None:
        self.sock, self.max_bytes, self.max_json = sock, max_bytes, max_json or max_bytes
        self.incoming = bytearray()
        self.watch: Callable[[], None] | None = None

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise PeerGone(f"the connection broke: {exc}") from None

    def _wait(self, deadline: float | None, size: int) -> None:
        """Sleep until the socket has data; :class:`Deadline` at ``deadline``; ``watch`` now and then."""
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise Deadline(f"no reply within the time limit ({len(self.incoming)} of {size} bytes received)")
            step = left if self.watch is None else min(left or WATCH_SECONDS, WATCH_SECONDS)
            if select.select([self.sock], [], [], step)[0]:
                return
            if self.watch is not None:
                self.watch()

    def _fill(self, size: int, deadline: float | None) -> None:
        """Read until the buffer holds at least ``size`` bytes."""
        while len(self.incoming) < size:
            want = max(size - len(self.incoming), 1 << 16)
            try:
                if deadline is not None or self.watch is not None:
                    self._wait(deadline, size)
                chunk = self.sock.recv(want)
            except OSError as exc:
                raise PeerGone(f"the connection broke: {exc}") from None
            if not chunk:
                raise PeerGone("the other process closed the connection")
            self.incoming += chunk

    def read(self, deadline: float | None) -> tuple[Any, list[bytearray]]:
        """One frame, refusing anything larger than ``max_bytes`` in total or ``max_json`` of JSON. Each blob is
        copied out once (a ``bytearray``, so arrays decoded from it need no further copy)."""
        self._fill(HEADER.size, deadline)
        length, count = HEADER.unpack_from(self.incoming)
        if count > 4096:
            raise TooLarge(f"{count} arrays in one message (at most 4096)")
        start = HEADER.size + BLOB.size * count
        self._fill(start, deadline)
        sizes = struct.unpack_from(f"!{count}Q", self.incoming, HEADER.size)
        if length > self.max_json or length + sum(sizes) > self.max_bytes:
            raise TooLarge(
                f"{(length + sum(sizes)) / 2**20:.1f} MiB in one message, {length / 2**20:.1f} MiB of it as "
                f"JSON (at most {self.max_bytes / 2**20:g} MiB, and {self.max_json / 2**20:g} MiB of JSON: plain "
                "lists, dicts and numbers; large data crosses as numpy arrays or tensors)"
            )
        end = start + length + sum(sizes)
        self._fill(end, deadline)
        with memoryview(self.incoming) as view:
            text = bytes(view[start : start + length])
            blobs, offset = [], start + length
            for size in sizes:
                blobs.append(bytearray(view[offset : offset + size]))
                offset += size
        del self.incoming[:end]
        try:
            doc = FROM_JSON(text.decode())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WireError(f"malformed message: {exc}") from None
        return doc, blobs


def _array_from_blob(node: dict, blobs: list[bytes]) -> np.ndarray:
    dtype, shape, index = node.get("dtype"), node.get("shape"), node.get("blob")
    if dtype not in DTYPES or type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError(f"bad array description {str(node)[:80]}")
    if type(index) is not int or not 0 <= index < len(blobs):
        raise WireError("array refers to a missing blob")
    data = blobs[index]
    if len(data) != math.prod(shape) * WIRE_DTYPES[dtype].itemsize:
        raise WireError("array size does not match its shape and dtype")
    array = np.frombuffer(data, dtype=WIRE_DTYPES[dtype]).astype(dtype, copy=False).reshape(shape)
    return array if array.flags.writeable else array.copy()  # a blob from a bytearray is already writable


class Encoder:
    """Turns values into JSON + blobs; ``make_ref(obj, blobs)`` is called for anything that is not plain data."""

    def __init__(self, make_ref: Callable[[Any, list[bytes]], dict]) -> None:
        self.make_ref = make_ref
        self.ref_types: tuple[type, ...] = ()  # always handles (proxies going home): skip the other tests
        self.tensor_hook: Callable[[Any, dict], None] | None = None  # may add fields to a tensor's node

    def encode(self, value: Any) -> tuple[Any, list[bytes]]:
        blobs: list[bytes] = []
        return self._enc(value, blobs, 0), blobs

    def add_blob(self, array: np.ndarray, name: str, blobs: list[bytes]) -> int:
        """Append the bytes of ``array`` (wire dtype ``name``, little-endian) to ``blobs``; their index."""
        blobs.append(array.astype(WIRE_DTYPES[name], copy=False).tobytes())
        return len(blobs) - 1

    def _enc(self, value: Any, blobs: list[bytes], depth: int) -> Any:
        if depth > 64:
            raise WireError("value nested too deeply")
        kind = type(value)
        if kind in PLAIN:
            return value
        if kind is float:
            return value if math.isfinite(value) else {"$t": "float", "v": repr(value)}
        if isinstance(value, self.ref_types):
            return self.make_ref(value, blobs)
        if kind in (list, tuple):  # plain items inline: this runs for every call's arguments
            items = [v if type(v) in PLAIN else self._enc(v, blobs, depth + 1) for v in value]
            return items if kind is list else {"$t": "tuple", "v": items}
        if isinstance(value, dict) and "$t" not in value and all(type(k) is str for k in value):
            # a JSON object (an OrderedDict such as state_dict() arrives as a plain dict); every request's fields
            return {k: v if type(v) in PLAIN else self._enc(v, blobs, depth + 1) for k, v in value.items()}
        if isinstance(value, dict):  # other keys: a list of pairs
            pairs = [
                [
                    k if type(k) in PLAIN else self._enc(k, blobs, depth + 1),
                    v if type(v) in PLAIN else self._enc(v, blobs, depth + 1),
                ]
                for k, v in value.items()
            ]
            return {"$t": "dict", "v": pairs}
        if kind is np.ndarray and (name := dtype_name(value.dtype)) is not None:
            return {"$t": "nd", "dtype": name, "shape": list(value.shape), "blob": self.add_blob(value, name, blobs)}
        if isinstance(value, np.generic) and kind.__module__ == "numpy" and (name := dtype_name(value.dtype)):
            return {"$t": "np", "dtype": name, "shape": [], "blob": self.add_blob(np.asarray(value), name, blobs)}
        if kind is np.random.Generator and type(value.bit_generator) is np.random.PCG64:
            return {"$t": "rng", "state": _rng_state(value)}
        tensor = _tensor_node(value, self, blobs)
        if tensor is not None:
            return tensor
        space = _space_node(value, self, blobs, depth)
        if space is not None:
            return space
        if isinstance(value, Iterator):  # e.g. module.parameters(), iter(buffer): sent as the list it yields
            return [self._enc(v, blobs, depth + 1) for v in value]
        return self.make_ref(value, blobs)


def _rng_state(rng: np.random.Generator) -> dict:
    state = rng.bit_generator.state
    pcg = [int(state["state"]["state"]), int(state["state"]["inc"])]
    return {"state": pcg, "has": int(state["has_uint32"]), "u": int(state["uinteger"])}


def _tensor_node(value: Any, encoder: Encoder, blobs: list[bytes]) -> dict | None:
    torch = _torch_if_loaded()
    if torch is None or type(value) not in (torch.Tensor, torch.nn.Parameter):
        return None
    plain = value.detach().cpu()
    bits = plain.dtype == torch.bfloat16  # numpy has no bfloat16: its 16 bits travel as int16
    try:
        array = (plain.view(torch.int16) if bits else plain).numpy()
    except (TypeError, RuntimeError):
        array = None
    name = None if array is None else "bfloat16" if bits else dtype_name(array.dtype)
    if name is None:
        raise WireError(
            f"a {str(value.dtype).removeprefix('torch.')} tensor{' (sparse)' if value.is_sparse else ''} cannot "
            "cross the sandbox (dense tensors of bool, integers, float16/32/64, bfloat16 or complex64/128 can)"
        )
    node = {
        "$t": "tensor",
        "dtype": name,
        "shape": list(array.shape),
        "blob": encoder.add_blob(array, "int16" if bits else name, blobs),
        "requires_grad": bool(value.requires_grad),
    }
    if value.grad is not None:  # a parameter's gradient travels with it (checks look for stray gradients)
        node["grad"] = _tensor_node(value.grad, encoder, blobs)
    if encoder.tensor_hook is not None:
        encoder.tensor_hook(value, node)
    return node


def _space_node(value: Any, encoder: Encoder, blobs: list[bytes], depth: int) -> dict | None:
    import gymnasium as gym

    if type(value) is gym.spaces.Discrete:
        node = {"$t": "space", "kind": "Discrete", "n": int(value.n), "start": int(value.start)}
    elif type(value) is gym.spaces.Box:
        low, high = encoder._enc(value.low, blobs, depth + 1), encoder._enc(value.high, blobs, depth + 1)
        node = {"$t": "space", "kind": "Box", "low": low, "high": high}
    else:
        return None
    # The receiver makes one copy per space (by ``id``) that starts from the state of the space's generator,
    # so its sample() draws what the original's would, even when the space is read again and again.
    node["id"] = id(value)
    rng = value._np_random  # None until the space is seeded or sampled
    if type(rng) is np.random.Generator and type(rng.bit_generator) is np.random.PCG64:
        node["rng"] = _rng_state(rng)
    return node


def _torch_if_loaded():
    return sys.modules.get("torch")


class Decoder:
    """Turns JSON + blobs back into values; ``resolve_ref(node)`` builds the object for a ``ref`` tag."""

    def __init__(
        self,
        resolve_ref: Callable[[dict], Any],
        extra_tags: dict[str, Callable[[dict, list[bytes]], Any]] | None = None,
    ) -> None:
        self.resolve_ref = resolve_ref
        self.extra_tags = extra_tags or {}
        self.tensor_hook: Callable[[Any, dict], Any] | None = None  # may replace a decoded tensor
        self.spaces: dict[Any, Any] = {}  # the copy of each space of the sender, by its id there

    def decode(self, doc: Any, blobs: list[bytes]) -> Any:
        return self._dec(doc, blobs, 0)

    def _dec(self, node: Any, blobs: list[bytes], depth: int) -> Any:
        if depth > 64:
            raise WireError("value nested too deeply")
        if type(node) in PLAIN_JSON:
            return node
        if type(node) is list:  # plain items inline: this runs for every call's arguments
            return [v if type(v) in PLAIN_JSON else self._dec(v, blobs, depth + 1) for v in node]
        if type(node) is not dict:
            raise WireError(f"unexpected JSON value {str(node)[:40]}")
        tag = node.get("$t")
        if tag is None:  # a dict with string keys
            return {k: v if type(v) in PLAIN_JSON else self._dec(v, blobs, depth + 1) for k, v in node.items()}
        if tag == "tuple":
            return tuple(self._dec(v, blobs, depth + 1) for v in _list(node, "v"))
        if tag == "dict":
            pairs = [self._dec(p, blobs, depth + 1) for p in _list(node, "v")]
            try:
                return {k: v for k, v in pairs}
            except (TypeError, ValueError):
                raise WireError("malformed dict") from None
        if tag == "float":
            if node.get("v") not in ("nan", "inf", "-inf"):
                raise WireError("malformed float")
            return float(node["v"])
        if tag == "nd":
            return _array_from_blob(node, blobs)
        if tag == "np":
            return _array_from_blob(node, blobs)[()]
        if tag == "tensor":
            tensor = _tensor(node, blobs)
            return tensor if self.tensor_hook is None else self.tensor_hook(tensor, node)
        if tag == "rng":
            return _rng_from_state(node.get("state"))
        if tag == "space":
            return self._space(node, blobs, depth)
        if tag == "ref":
            return self.resolve_ref(node)
        if tag in self.extra_tags:
            return self.extra_tags[tag](node, blobs)
        raise WireError(f"unknown tag {str(tag)[:20]}")

    def _space(self, node: dict, blobs: list[bytes], depth: int) -> Any:
        import gymnasium as gym

        space = None
        if node.get("kind") == "Discrete" and type(node.get("n")) is int and type(node.get("start")) is int:
            space = gym.spaces.Discrete(node["n"], start=node["start"])
        elif node.get("kind") == "Box":
            low, high = self._dec(node.get("low"), blobs, depth + 1), self._dec(node.get("high"), blobs, depth + 1)
            if type(low) is np.ndarray and type(high) is np.ndarray and low.shape == high.shape:
                space = gym.spaces.Box(low, high, dtype=low.dtype)
        if space is None or type(node.get("id")) is not int:
            raise WireError("malformed space")
        known = self.spaces.get(node["id"])
        if known is not None and known == space:  # the same space again: keep sampling from the first copy
            return known
        if "rng" in node:
            space._np_random = _rng_from_state(node["rng"])
        self.spaces[node["id"]] = space
        return space


def _tensor(node: dict, blobs: list[bytes]) -> Any:
    import torch

    if node.get("dtype") == "bfloat16":
        tensor = torch.from_numpy(_array_from_blob({**node, "dtype": "int16"}, blobs)).view(torch.bfloat16)
    else:
        tensor = torch.from_numpy(_array_from_blob(node, blobs))
    if node.get("requires_grad") is True and tensor.is_floating_point():
        tensor.requires_grad_(True)
    grad = node.get("grad")
    if type(grad) is dict and grad.get("$t") == "tensor" and tensor.requires_grad:
        value = _tensor(grad, blobs)
        if value.shape == tensor.shape and value.dtype == tensor.dtype:
            tensor.grad = value
    return tensor


def _list(node: dict, key: str) -> list:
    value = node.get(key)
    if type(value) is not list:
        raise WireError("malformed tagged value")
    return value


def _rng_from_state(state: Any) -> np.random.Generator:
    if type(state) is not dict or type(state.get("state")) is not list or len(state["state"]) != 2:
        raise WireError("malformed generator state")
    s, inc = state["state"]
    if not all(type(v) is int and 0 <= v < 2**128 for v in (s, inc)) or type(state.get("has")) is not int:
        raise WireError("malformed generator state")
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": s, "inc": inc},
        "has_uint32": state["has"],
        "uinteger": int(state.get("u", 0)),
    }
    return rng
