"""Calls across the sandbox boundary: each side keeps its own objects and hands out numbered handles.

Both processes run the same :class:`Endpoint`. A request names an operation on a handle (``getattr``,
``setattr``, ``call``) or asks the child for ``<module>.<name>`` of the implementation under test
(``attr``). While one side waits for its reply, it serves requests from the other side, so student code in
the child can call back into parent objects it was given (an env, a policy callable) and the parent stays
the one that runs them. Values travel by :mod:`grader.sandbox.wire` (data only, never pickle); anything
that is not plain data travels as a handle and is used through a :class:`Remote` proxy.
"""

from __future__ import annotations

import functools
import inspect
import socket
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from grader.sandbox.import_guard import trusted_imports
from grader.sandbox.modules import apply_state, module_from_node, module_node, module_state, module_tensors
from grader.sandbox.wire import Channel, Decoder, Encoder, WireError, frame

#: What one message may hold. The child reads the grader's messages (trusted: a pickled network, a batch of
#: observations); the grader reads the child's replies, whose cost to the grader is capped: JSON decodes to
#: Python objects worth up to ~40 times its size, arrays cost their own size (copied once). Grading the four
#: references (public and hidden checks, 30,968 replies), the largest reply was 0.41 MiB, all of it JSON.
MAX_MESSAGE = 256 << 20
MAX_REPLY = 64 << 20
MAX_REPLY_JSON = 4 << 20
MAX_TEXT = 2000


class RemoteError(Exception):
    """An exception raised on the other side of the boundary, described by type name, text and location."""

    def __init__(self, type_name: str, message: str, where: str, token: int | None = None) -> None:
        super().__init__(message)
        self.type_name, self.where, self.token = type_name, where, token


class Remote:
    """A proxy for an object that lives in the other process. Attribute reads, writes and calls are requests."""

    __slots__ = ("_endpoint", "_id", "_type", "_callable")

    def __init__(self, endpoint: Endpoint, ref_id: int, type_name: str, is_callable: bool) -> None:
        object.__setattr__(self, "_endpoint", endpoint)
        object.__setattr__(self, "_id", ref_id)
        object.__setattr__(self, "_type", type_name)
        object.__setattr__(self, "_callable", is_callable)

    def __getattr__(self, name: str) -> Any:
        if name == "__name__":  # so messages can say which class or function this is
            return self._type
        if name.startswith("__"):
            raise AttributeError(name)
        return self._endpoint.request("getattr", ref=self, name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._endpoint.request("setattr", ref=self, name=name, value=value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._endpoint.request("call", ref=self, args=list(args), kwargs=kwargs)

    def __repr__(self) -> str:
        return f"<{self._type} in the sandbox>"

    # The container protocol, answered by the remote object's own methods (``len(agent.buffer)``).
    def __len__(self) -> int:
        return self._endpoint.request("getattr", ref=self, name="__len__")()

    def __iter__(self) -> Any:
        return iter(self._endpoint.request("getattr", ref=self, name="__iter__")())

    def __getitem__(self, key: Any) -> Any:
        return self._endpoint.request("getattr", ref=self, name="__getitem__")(key)

    def __bool__(self) -> bool:
        return True


@functools.cache
def proxy_class(type_name: str) -> type[Remote]:
    """A subclass of :class:`Remote` named like the remote object's class, so ``type(proxy).__name__`` in the
    harness's messages names the student's class (e.g. ``QLearningAgent``)."""
    return type(type_name, (Remote,), {"__slots__": ()})


class Endpoint:
    """One side of the connection: its exported objects, the encoder/decoder and the request loop.

    ``services`` are the named entry points this side offers (the child's); ``reply_timeout`` bounds the wait
    for a reply (``None``: wait forever); ``locate(exc)`` says where an exception came from (the child points
    at the student's file and line); ``allow(op, obj, name)`` decides which requests of the peer on our
    objects are served (the parent serves a short allow-list only);
    ``adapt(proxy, node)`` may replace a proxy by a richer facade (the parent's ``RemoteEnv``).
    """

    def __init__(
        self,
        sock: socket.socket,
        services: dict[str, Callable[..., Any]] | None = None,
        locate: Callable[[BaseException], str] = lambda exc: "",
        reply_timeout: float | None = None,
        allow: Callable[[str, Any, str], bool] = lambda op, obj, name: True,
        adapt: Callable[[Remote, dict], Any] = lambda proxy, node: proxy,
        child: bool = False,
    ) -> None:
        self.sock = sock
        self.channel = Channel(sock, MAX_MESSAGE) if child else Channel(sock, MAX_REPLY, MAX_REPLY_JSON)
        self.allow = allow
        self.adapt = adapt
        self.services = services or {}
        self.proxies: dict[int, Any] = {}  # one proxy per remote object, so ``is`` works on proxies
        self.locate = locate
        self.reply_timeout = reply_timeout
        self.objects: dict[int, Any] = {}
        self.failures: dict[int, BaseException] = {}  # exceptions of our objects raised during a peer's call
        self.encoder = Encoder(self._export)
        self.encoder.ref_types = (Remote,)
        self.child = child
        self.decoder = Decoder(self._resolve, {"module": self._receive_module} if child else None)
        self.encoder.tensor_hook = lambda tensor, node: self.grads().on_encode(tensor, node)
        self.decoder.tensor_hook = lambda tensor, node: self.grads().on_decode(tensor, node)
        self._grads: Any = None
        if child:
            self.services["backward"] = lambda grad_id, grad: self.grads().backward(grad_id, grad)
        self.sent_modules: list[Any] | None = None  # the grader's modules sent by value with the current request
        # the child's copies of modules received with the current request, and their tensors on arrival
        self.received_modules: list[tuple[Any, dict]] = []

    # -- handles ----------------------------------------------------------------------------------
    def _export(self, obj: Any, blobs: list[bytes]) -> dict:
        if isinstance(obj, Remote):  # a proxy going back to its owner: the owner gets its object
            if obj._endpoint is not self:
                raise WireError("a proxy of another connection cannot travel here")
            return {"$t": "ref", "id": obj._id, "side": "yours"}
        torch = sys.modules.get("torch")
        if self.sent_modules is not None and torch is not None and isinstance(obj, torch.nn.Module):
            self.sent_modules.append(obj)
            return module_node(obj, blobs)
        ref = id(obj)
        self.objects[ref] = obj
        named = isinstance(obj, type) or inspect.isfunction(obj)  # a class or function travels under its own name
        name = obj.__name__ if named else type(obj).__name__
        gym = sys.modules.get("gymnasium")
        is_env = gym is not None and isinstance(obj, gym.Env)
        return {"$t": "ref", "id": ref, "side": "mine", "type": name, "callable": callable(obj), "env": is_env}

    def _resolve(self, node: dict) -> Any:
        ref, side = node.get("id"), node.get("side")
        if type(ref) is not int:
            raise WireError("malformed handle")
        if side == "yours":  # one of our own objects, coming back
            if ref not in self.objects:
                raise WireError("unknown handle")
            return self.objects[ref]
        if ref not in self.proxies:
            name = (node.get("type") if type(node.get("type")) is str else "object")[:80]
            self.proxies[ref] = self.adapt(proxy_class(name)(self, ref, name, node.get("callable") is True), node)
        return self.proxies[ref]

    # -- messages ---------------------------------------------------------------------------------
    def _frame(self, doc: dict, value: Any = None) -> bytes:
        encoded, blobs = self.encoder.encode(value)
        doc["value"] = encoded
        return frame(doc, blobs)

    def _send(self, doc: dict, value: Any = None) -> None:
        self.channel.send(self._frame(doc, value))

    def grads(self) -> Any:
        """The :class:`grader.sandbox.autograd.GradBridge` of this side (torch is loaded once tensors travel)."""
        if self._grads is None:
            with trusted_imports():  # in a check's child, the grader's modules are hidden from plain imports
                from grader.sandbox.autograd import GradBridge

            self._grads = GradBridge(self.request)
        return self._grads

    def _receive_module(self, node: dict, blobs: list[bytes]) -> Any:
        module = module_from_node(node, blobs)
        self.received_modules.append((module, module_tensors(module)))
        return module

    def _receive(self, deadline: float | None) -> tuple[dict, Any]:
        self.received_modules = []
        if self._grads is not None:
            self._grads.received = []
        doc, blobs = self.channel.read(deadline)
        if type(doc) is not dict or doc.get("kind") not in ("req", "ok", "err"):
            raise WireError("malformed message")
        return doc, self.decoder.decode(doc.get("value"), blobs)

    def request(self, op: str, **fields: Any) -> Any:
        """Send one request and serve the peer's requests until its reply arrives; return or raise it.
        Torch modules among the arguments go by value and get the child's new state back (``modules``)."""
        self.sent_modules = []
        bridge = self.grads() if not self.child and "torch" in sys.modules else None
        if bridge is not None:
            bridge.sending = []
        try:
            self._send({"kind": "req", "op": op}, fields)
        finally:
            sent, self.sent_modules = self.sent_modules, None
            if bridge is not None:
                bridge.sent, bridge.sending = bridge.sending, None
        deadline = None if self.reply_timeout is None else time.monotonic() + self.reply_timeout
        while True:
            doc, payload = self._receive(deadline)
            if doc["kind"] == "req":
                self._serve_one(doc, payload)
                continue
            if doc["kind"] == "ok" and sent:
                return self._write_back(sent, payload)
            if doc["kind"] == "ok":
                return payload
            raise self._error_from(payload)

    def _write_back(self, sent: list[Any], payload: Any) -> Any:
        if (
            type(payload) is not dict
            or type(payload.get("modules")) is not list
            or len(payload["modules"]) != len(sent)
        ):
            raise WireError("the reply lacks the new state of the modules sent with the request")
        for module, state in zip(sent, payload["modules"], strict=True):
            apply_state(module, state)
        return payload.get("result")

    def _error_from(self, payload: Any) -> BaseException:
        if type(payload) is not dict:
            return WireError("malformed error reply")
        token = payload.get("token")
        if type(token) is int and token in self.failures:  # our own exception, passed through student code
            return self.failures.pop(token)
        text = lambda key: str(payload.get(key, ""))[:MAX_TEXT]  # noqa: E731
        return RemoteError(text("type"), text("message"), text("where"), token if type(token) is int else None)

    def serve_forever(self) -> None:
        """The child's main loop: answer requests until the parent goes away."""
        while True:
            doc, payload = self._receive(None)
            if doc["kind"] != "req":
                raise WireError("unexpected reply")
            self._serve_one(doc, payload)

    def _serve_one(self, doc: dict, payload: Any) -> None:
        """Perform one request and send its one reply (its result, or the exception it raised)."""
        try:
            result = self._perform(str(doc.get("op")), payload)
        except WireError:
            raise
        except BaseException as exc:  # noqa: BLE001 - every failure of our objects goes back as an error reply
            self._send({"kind": "err"}, self._describe(exc))
            if isinstance(exc, (KeyboardInterrupt, SystemExit)) and not isinstance(exc, RemoteError):
                raise
            return
        try:
            if self.received_modules:
                modules = [module_state(module, tensors) for module, tensors in self.received_modules]
                result = {"result": result, "modules": modules}
            reply = self._frame({"kind": "ok"}, result)
        except WireError as exc:  # the result cannot travel (e.g. a float8 tensor): the peer is told why
            reply = self._frame({"kind": "err"}, {"type": "WireError", "message": str(exc)[:MAX_TEXT], "where": ""})
        except Exception as exc:  # noqa: BLE001 - turning the result into data ran the peer's code, which raised
            reply = self._frame({"kind": "err"}, self._describe(exc))
        self.channel.send(reply)

    def _describe(self, exc: BaseException) -> dict:
        if isinstance(exc, RemoteError):  # the peer's own failure coming back: hand its token back
            return {"type": exc.type_name, "message": str(exc), "where": exc.where, "token": exc.token}
        token = id(exc)
        self.failures[token] = exc
        return {"type": type(exc).__name__, "message": str(exc)[:MAX_TEXT], "where": self.locate(exc), "token": token}

    def _perform(self, op: str, payload: Any) -> Any:
        if type(payload) is not dict:
            raise WireError("malformed request")
        if op in self.services:  # the child's entry points, e.g. ``attr(module, name)``
            return self.services[op](**payload)
        if op == "batch":  # several calls of our callables in one message, in order: ids, argument lists, the
            # kwargs they share and, optionally, each call's own kwargs
            ids, args, kwargs = payload.get("ids"), payload.get("args"), payload.get("kwargs", {})
            if type(ids) is not list or type(args) is not list or type(kwargs) is not dict:
                raise WireError("malformed batch")
            each = payload.get("each", [{}] * len(ids))
            if (
                type(each) is not list
                or not len(ids) == len(args) == len(each)
                or any(type(k) is not dict for k in each)
            ):
                raise WireError("malformed batch")
            if not all(type(i) is int and i in self.objects for i in ids):
                raise WireError("a batch names an unknown object")
            return [self._call(self.objects[i], a, {**kwargs, **k}) for i, a, k in zip(ids, args, each, strict=True)]
        target, name = payload.get("ref"), str(payload.get("name"))
        if isinstance(target, Remote):
            raise WireError("a request must name one of the receiver's own objects")
        if not self.allow(op, target, name):
            raise PermissionError(f"the grader does not allow {op} {name!r} on a {type(target).__name__}")
        if op == "getattr":
            return getattr(target, name)
        if op == "setattr":
            return setattr(target, name, payload.get("value"))
        if op == "call":
            return self._call(target, payload.get("args"), payload.get("kwargs"))
        raise WireError(f"unknown operation {op[:20]}")

    def _call(self, target: Any, args: Any, kwargs: Any) -> Any:
        if type(args) is not list or type(kwargs) is not dict or not all(type(k) is str for k in kwargs):
            raise WireError("malformed call")
        if isinstance(target, Remote) or not self.allow("call", target, ""):
            raise PermissionError(f"the grader does not allow calling a {type(target).__name__}")
        return target(*args, **kwargs)


def student_location(root: str) -> Callable[[BaseException], str]:
    """``locate`` for the child: the last traceback frame inside the submission, as 'file, line N, in f'."""

    def locate(exc: BaseException) -> str:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if (f.filename or "").startswith(root)]
        if not frames:
            return ""
        f = frames[-1]
        return f"{f.filename[len(root) :].lstrip('/')}, line {f.lineno}, in {f.name}"

    return locate
