"""The released `runpod` SDK (1.12.0), loaded when a test first uses it (tests/lazy.py):
importing it costs about 0.8 s in every xdist worker, and most workers run none of these
tests."""

from __future__ import annotations

import cpuinfo

from tests.lazy import lazy_module

# runpod.serverless asks py-cpuinfo for the CPU's name at import: a subprocess, 1.1 s. The
# SDK's GraphQL calls tested here never read it.
cpuinfo.get_cpu_info = lambda: {"brand_raw": "not probed (tests)"}

runpod = lazy_module("runpod")
