from tests.site.test_bad_input import builds  # noqa
import pytest
def test_show(builds):
    for name,(root,code,log) in builds.items():
        print("=====", name, code)
        print("\n".join(l for l in log.splitlines() if not l.startswith("INFO")))
