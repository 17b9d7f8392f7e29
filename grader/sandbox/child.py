"""The sandboxed side: import the implementation under test and answer the grader's requests.

Started by :mod:`grader.sandbox.session` as
``python -I -B -m grader.sandbox.child ROOT ASSIGNMENT SEED FD [--drop-privileges]`` with the connection on
file descriptor FD. As root (inside bubblewrap) it first becomes ``nobody``. It seeds the global RNGs (so
code that wrongly uses them still grades the same every run), then serves requests until the grader closes
the connection.
"""

from __future__ import annotations

import contextlib
import random
import socket
import sys
from pathlib import Path

import numpy as np

from grader.impl import Implementation, registered_env
from grader.sandbox.limits import drop_privileges
from grader.sandbox.rpc import Endpoint, student_location
from grader.sandbox.wire import PeerGone


def main() -> None:
    root, assignment, seed, fd = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if "--drop-privileges" in sys.argv[5:]:
        drop_privileges()
    random.seed(seed)
    np.random.seed(seed % 2**32)
    impl = Implementation(root=root, assignment=assignment)
    torch_seeded = False

    def resolve_attr(module: object, name: object):
        nonlocal torch_seeded
        value = impl.attr(str(module), str(name))
        torch = sys.modules.get("torch")
        if torch is not None and not torch_seeded:  # once, as the in-process plugin does per check
            torch.manual_seed(seed)
            torch.set_num_threads(1)
            torch_seeded = True
        return value

    services = {"attr": resolve_attr, "registered_env": lambda env_id: registered_env(str(env_id))}
    endpoint = Endpoint(socket.socket(fileno=fd), services, student_location(str(root) + "/"), child=True)
    with contextlib.suppress(PeerGone):
        endpoint.serve_forever()


if __name__ == "__main__":
    main()
