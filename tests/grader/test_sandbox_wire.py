"""The sandbox's wire format (grader/sandbox/wire.py): plain data round trips, refusals of anything else, and the
cap on what a reply may cost the reader."""

from __future__ import annotations

import socket

import gymnasium as gym
import numpy as np
import pytest
import torch

from grader.sandbox.wire import Channel, Decoder, Encoder, TooLarge, WireError, frame


def test_wire_round_trip_keeps_plain_data() -> None:
    value = {"a": [1, 2.5, float("nan")], (1, 2): np.arange(6, dtype=np.int16).reshape(2, 3), "s": np.float32(1.5)}
    doc, blobs = Encoder(lambda obj: {"$t": "ref"}).encode(value)
    back = Decoder(lambda node: None).decode(doc, blobs)
    assert back["a"][:2] == [1, 2.5] and np.isnan(back["a"][2])
    assert back[(1, 2)].dtype == np.int16 and back[(1, 2)].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert type(back["s"]) is np.float32 and back["s"] == 1.5


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.complex64, torch.float16, torch.int8])
def test_wire_tensors_of_every_common_dtype_cross(dtype: torch.dtype) -> None:
    """bfloat16 (no numpy dtype: its 16 bits cross) and complex tensors reach the check as themselves, so it can
    tell the student what is wrong with them, as in-process."""
    tensor = (torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4).to(dtype)
    doc, blobs = Encoder(lambda obj, blobs: {"$t": "ref"}).encode(tensor)
    back = Decoder(lambda node: None).decode(doc, blobs)
    assert back.dtype == dtype and torch.equal(back, tensor)


def test_wire_names_a_tensor_it_cannot_send() -> None:
    with pytest.raises(WireError, match="float8_e4m3fn tensor cannot cross the sandbox"):
        Encoder(lambda obj, blobs: {"$t": "ref"}).encode(torch.zeros(2).to(torch.float8_e4m3fn))


@pytest.mark.parametrize("space", [gym.spaces.Discrete(6, start=2), gym.spaces.Box(-1.0, 2.0, shape=(3,))])
def test_wire_space_samples_like_the_original(space: gym.Space) -> None:
    """A copied action space draws what the original would (a student's ``action_space.sample()`` grades the
    same sandboxed as in-process), unseeded spaces stay unseeded."""
    encoder, decoder = Encoder(lambda obj, blobs: {"$t": "ref"}), Decoder(lambda node: None)
    assert decoder.decode(*encoder.encode(space))._np_random is None
    space.seed(3)
    decoder = Decoder(lambda node: None)
    draws = [decoder.decode(*encoder.encode(space)).sample() for _ in range(20)]  # read anew before each draw
    assert np.array_equal(draws, [space.sample() for _ in range(20)])


@pytest.mark.parametrize(
    "doc",
    [
        {"$t": "nd", "dtype": "object", "shape": [1], "blob": 0},
        {"$t": "nd", "dtype": "float64", "shape": [3], "blob": 0},
        {"$t": "pickle", "v": "gASV"},
        {"$t": "float", "v": "__import__('os')"},
    ],
)
def test_wire_refuses_malformed_values(doc: dict) -> None:
    with pytest.raises(WireError):
        Decoder(lambda node: None).decode(doc, [b"\x00" * 8])


@pytest.mark.parametrize(("json_items", "array_bytes"), [(1 << 20, 0), (0, 20 << 20)])
def test_a_message_over_the_cap_is_refused_from_its_header(json_items: int, array_bytes: int) -> None:
    """A reader capped at 16 MiB (2 MiB of JSON) refuses a larger message before reading its body (the JSON of
    1M one-item lists would cost it ~100 MiB), and says how large it was."""
    ours, theirs = socket.socketpair()
    data = frame([[0]] * json_items, [b"\x00" * array_bytes] if array_bytes else [])
    theirs.sendall(data[:4096])  # the header alone is enough to refuse it
    with pytest.raises(TooLarge, match=r"MiB in one message"):
        Channel(ours, 16 << 20, 2 << 20).read(deadline=None)
    ours.close()
    theirs.close()
