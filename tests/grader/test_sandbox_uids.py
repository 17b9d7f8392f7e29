"""The uid each zygote's checks run as when the grader is root (grader/sandbox/uids.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.sandbox.limits import NOBODY
from grader.sandbox.uids import LOCK_PREFIX, SANDBOX_UIDS, claim_uid, mapped

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only root claims uids")


def test_two_zygotes_get_two_uids_and_a_released_uid_comes_back(tmp_path: Path) -> None:
    first, second = claim_uid(SANDBOX_UIDS, tmp_path), claim_uid(SANDBOX_UIDS, tmp_path)
    assert first.own and second.own and first.uid != second.uid
    assert {first.uid, second.uid} <= set(SANDBOX_UIDS)
    held = first.uid
    first.release()
    again = claim_uid(SANDBOX_UIDS, tmp_path)
    assert again.uid == held, "a released uid is free for the next zygote"
    second.release()
    again.release()


def test_accounts_running_uids_and_planted_links_are_skipped(tmp_path: Path) -> None:
    # 65534 is nobody's account, 0 runs this test; a link planted where a lock file goes is never followed
    if not mapped(range(0, 65537)):
        pytest.skip("this user namespace maps fewer uids")
    (tmp_path / f"{LOCK_PREFIX}65535").symlink_to(tmp_path / "elsewhere")
    claim = claim_uid(range(65534, 65537), tmp_path)
    assert claim.uid == 65536 and claim.own
    assert not (tmp_path / "elsewhere").exists()
    claim.release()
    assert claim_uid(range(0, 1), tmp_path).uid == NOBODY


def test_without_a_mapped_block_the_checks_share_nobody(tmp_path: Path) -> None:
    unmapped = range(2**32 - 2, 2**32)  # (uid_t) −1 is never mapped
    assert not mapped(unmapped)
    claim = claim_uid(unmapped, tmp_path)
    assert claim.uid == NOBODY and not claim.own
