"""Callback data is versioned, bounded and parsed defensively."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import callbacks


def test_round_trip():
    data = callbacks.pack("hrs", "save", 42, "x")
    parsed = callbacks.unpack(data, "hrs")
    assert parsed is not None
    assert (parsed.action, parsed.args, parsed.int_arg(0)) == ("save", ("42", "x"), 42)


def test_other_prefix_or_version_is_rejected():
    assert callbacks.unpack(callbacks.pack("hrs", "save"), "bud") is None
    assert callbacks.unpack("hrs:0:save", "hrs") is None


def test_too_long_is_refused_when_packing():
    with pytest.raises(ValueError, match="64 bytes"):
        callbacks.pack("hrs", "save", "x" * 60)


@given(st.text(max_size=80))
def test_anything_unpacks_to_none_or_a_callback(data):
    parsed = callbacks.unpack(data, "hrs")
    assert parsed is None or parsed.prefix == "hrs"
    if parsed is not None:
        parsed.int_arg(0)  # must not raise for any text


def test_numbers_beyond_a_database_id_are_not_numbers():
    assert callbacks.unpack("x:1:a:2147483647", "x").int_arg(0) == 2147483647
    for forged in ("2147483648", "999999999999999999", "١٢", "²", "00000000001"):
        assert callbacks.unpack(f"x:1:a:{forged}", "x").int_arg(0) is None, forged
