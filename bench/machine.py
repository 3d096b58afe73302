"""The machine the figures were taken on (CPU, cores, memory, load, software, commit), and
what a process on it uses (CPU time, resident memory), from /proc."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty.strip() else "")


def describe_machine() -> dict[str, Any]:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = _memory_gb()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    python = sys.version.split()[0]
    summary = (f"{_cpu_model()}, {cores} cores, {memory} GB RAM, load {load[0]:.2f}"
               if load else f"{_cpu_model()}, {cores} cores, {memory} GB RAM")
    return {
        "summary": f"{summary}; Python {python}; {platform.system()} {platform.release()}; "
                   f"commit {_commit()}",
        "cpu": _cpu_model(), "cores": cores, "memory_gb": memory,
        "load_average": list(load) if load else None, "python": python,
        "platform": platform.platform(), "commit": _commit(),
    }


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from ``/proc/<pid>/stat``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory (``VmRSS``) or its peak (``VmHWM``) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise LookupError(f"{field} not in /proc/{pid}/status")
