"""Notebook kernels are always this interpreter, whatever kernelspecs the machine has."""

import pytest

from scripts.notebook_config import pin_python3_kernel


@pytest.fixture(scope="session", autouse=True)
def python3_kernel_is_this_interpreter(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        for name, value in pin_python3_kernel(tmp_path_factory.mktemp("jupyter")).items():
            patch.setenv(name, value)
        yield
