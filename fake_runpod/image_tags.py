"""What an image's tag says about it: the CUDA version it is built for, its PyTorch.

runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404 -> CUDA 12.8(.1), PyTorch 2.8.0. Runpod's
smoke tests read the tag the same way (runpod/containers tests/runpod_smoke/instances.py,
detect_cuda_version, commit 6990d37).
"""

from __future__ import annotations

import re

_CUDA_TAG = re.compile(r"\bcu(?:da)?(\d{2})(\d)(\d)\b", re.IGNORECASE)
_TORCH_TAG = re.compile(r"\btorch(\d)(\d)(\d)\b")


def image_cuda(image: str) -> str | None:
    """The CUDA version (major.minor) an image is built for, or None when the tag says none."""
    found = _CUDA_TAG.search(image)
    return f"{int(found[1])}.{int(found[2])}" if found else None


def image_versions(image: str) -> dict[str, str]:
    """CUDA_VERSION / PYTORCH_VERSION as an official image sets them."""
    versions = {}
    cuda = _CUDA_TAG.search(image)
    if cuda:
        versions["CUDA_VERSION"] = f"{int(cuda[1])}.{int(cuda[2])}.{int(cuda[3])}"
    torch = _TORCH_TAG.search(image)
    if torch:
        versions["PYTORCH_VERSION"] = ".".join(torch.groups())
    return versions


def cuda_key(version: str) -> tuple[int, ...]:
    """12.10 > 12.9: versions compare numerically, not as decimals."""
    return tuple(int(part) for part in version.split("."))
