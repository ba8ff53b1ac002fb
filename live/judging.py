"""What a pod's answers prove: the versions and the GPU check, judged for the report.

The judges themselves are the targets' (live/targets.py): a real pod must show the versions
and the GPU; the fake's pods, without a GPU, may only rehearse. These are the pieces both use.
"""

from __future__ import annotations

import re


def version_problems(seen: dict) -> list[str]:
    """torch and torchvision as snippets/recommended_image.toml's [torchvision] pins them
    (setup.sh installs exactly those): a mismatch is a setup that no longer does its job."""
    from snippets.api import load_recommended

    pinned = load_recommended().get("torchvision") or {}
    problems = []
    for name, want in (("torch", pinned.get("torch")), ("torchvision", pinned.get("version"))):
        got = str(seen.get(name) or "").split("+")[0]  # 2.9.1+cu128 -> 2.9.1
        if want and got != want:
            problems.append(f"{name} {got or '?'} on the pod, recommended_image.toml pins {want}")
    return problems


def gpu_record(seen: dict, rehearsal: bool) -> dict:
    """The report's `gpu_check` (on the fake: what this machine said, timings left out)."""

    def number(key: str) -> float | None:
        value = seen.get(key)
        return None if rehearsal or not isinstance(value, int | float) else round(value, 4)

    return {
        "rehearsal": rehearsal,
        "torch": seen.get("torch"),
        "torchvision": seen.get("torchvision"),
        "cuda": seen.get("cuda"),
        "device": seen.get("device"),
        "import_seconds": number("import_seconds"),
        "matmul_seconds": number("matmul_seconds"),
        "matmul_size": int(seen["size"]),
    }


def describe(seen: dict) -> str:
    return (
        f"python {version_prefix(seen['python'])}; torch/cuda: {seen['torch'] or 'none'}; "
        f"nvidia-smi: {seen['smi'] or 'none'}"
    )


def version_prefix(text: str | None) -> str | None:
    """'Python 3.12.3' -> '3.12.3'; '2.8.0+cu128' -> '2.8.0'."""
    match = re.search(r"(\d+\.\d+(?:\.\d+)?)", text or "")
    return match.group(1) if match else None


def same_minor(observed: str | None, expected: str) -> bool:
    """'3.12.3' matches '3.12'; '3.120' does not."""
    return observed is not None and (observed == expected or observed.startswith(expected + "."))
