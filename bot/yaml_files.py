"""YAML read with libyaml's C parser when PyYAML has it: the same documents, ten times faster.

The organisation file and the FAQ files are read at every start-up and on ``/faq_reload``;
PyYAML's pure-Python parser took 0.15 s of the start-up for them (``bench/footprint.py``).
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """Like ``yaml.safe_load`` (same types, same ``yaml.YAMLError`` with its line)."""
    return yaml.load(text, Loader=_LOADER)
