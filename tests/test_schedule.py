"""The suite's first hand-out to its workers (tests/fixtures/schedule.py): every test exactly
once, whole files, the longest first and spread evenly, the browser tests on one worker, and
`make bench`'s file read back as written."""

from __future__ import annotations

import pytest

from scripts.bench import durations
from tests.fixtures import schedule


def collection(files: dict[str, int]) -> list[str]:
    return [f"{file}::test_{n}" for file, count in files.items() for n in range(count)]


def files_in_order(ids: list[str], queue: list[int]) -> list[str]:
    seen: list[str] = []
    for index in queue:
        file = ids[index].split("::")[0]
        if not seen or seen[-1] != file:
            seen.append(file)
    return seen


FILES = {
    "tests/browser/test_axe.py": 4,
    "tests/browser/test_search.py": 30,
    "tests/live/test_faults.py": 10,
    "tests/snippets/test_pod.py": 40,
    "tests/site/test_build.py": 5,
    "tests/test_lint.py": 2,
    "tests/test_new.py": 3,  # not in the seconds file yet
}
SECONDS = {
    "tests/browser/test_axe.py": 20.0,
    "tests/browser/test_search.py": 25.0,
    "tests/live/test_faults.py": 100.0,
    "tests/snippets/test_pod.py": 30.0,
    "tests/site/test_build.py": 10.0,
    "tests/test_lint.py": 1.0,
    "tests/gone.py": 50.0,  # a file that no longer exists changes nothing
}


@pytest.mark.parametrize("workers", [1, 2, 3, 6, 200])
def test_every_test_is_handed_out_exactly_once(workers):
    ids = collection(FILES)
    queues = schedule.plan(ids, workers, SECONDS)
    assert len(queues) == workers
    assert sorted(i for queue in queues for i in queue) == list(range(len(ids)))


def test_the_browser_tests_stay_on_one_worker_and_files_stay_whole():
    ids = collection(FILES)
    queues = schedule.plan(ids, 3, SECONDS)
    holders = [q for q in queues if any(ids[i].startswith("tests/browser/") for i in q)]
    assert len(holders) == 1
    for file in ("tests/snippets/test_pod.py", "tests/site/test_build.py", "tests/test_new.py"):
        assert sum(file in files_in_order(ids, q) for q in queues) == 1, file


def per_test(ids: list[str], index: int) -> float:
    file = ids[index].split("::")[0]
    return SECONDS.get(file, schedule.UNKNOWN_TEST_SECONDS * FILES[file]) / FILES[file]


def test_the_longest_start_first_and_a_file_too_long_for_one_worker_is_cut():
    ids = collection(FILES)
    queues = schedule.plan(ids, 3, SECONDS)
    # 186.6 s in all, 62 s per worker: a file over 31 s is cut (the faults' 100 s: in 4).
    faults = [q for q in queues if "tests/live/test_faults.py" in files_in_order(ids, q)]
    assert len(faults) >= 2
    for queue in queues:  # each worker's units, longest first
        units: list[tuple[str, float]] = []
        for index in queue:
            unit = schedule.unit_of(ids[index])
            if not units or units[-1][0] != unit:
                units.append((unit, 0.0))
            units[-1] = (unit, units[-1][1] + per_test(ids, index))
        assert [s for _, s in units] == sorted((s for _, s in units), reverse=True), units
    loads = [sum(per_test(ids, i) for i in q) for q in queues]
    assert max(loads) - min(loads) <= 31, loads  # within one piece of each other


def test_without_seconds_it_is_still_every_test():
    ids = collection(FILES)
    queues = schedule.plan(ids, 4, {})
    assert sorted(i for queue in queues for i in queue) == list(range(len(ids)))


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", '{"tests/a.py": "x", "b": -1}'])
def test_an_unreadable_seconds_file_only_loses_the_order(tmp_path, text):
    path = tmp_path / "seconds.json"
    path.write_text(text, encoding="utf-8")
    assert schedule.load_seconds(path) == {}
    assert schedule.load_seconds(tmp_path / "missing.json") == {}


def test_bench_writes_what_the_scheduler_reads(tmp_path):
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)
    files = [durations.FileTime("tests/b.py", 2.04, 3), durations.FileTime("tests/a.py", 7.0, 1)]
    path = durations.write_schedule(files, tmp_path)
    assert path == tmp_path / schedule.SECONDS.relative_to(schedule.SECONDS.parents[2])
    assert schedule.load_seconds(path) == {"tests/a.py": 7.0, "tests/b.py": 2.0}


class Node:
    """What the scheduler talks to in place of an xdist worker."""

    shutting_down = False

    def __init__(self, name: str) -> None:
        self.gateway = type("Gateway", (), {"id": name})()
        self.sent: list[int] = []

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent += indices

    def shutdown(self) -> None:
        self.shutting_down = True


class Config:
    def __init__(self, dist: str, workers: int) -> None:
        self.dist, self.workers = dist, workers

    def getoption(self, name: str):
        return {"dist": self.dist}[name]

    def getvalue(self, name: str):
        return {"tx": [f"{self.workers}*popen"]}[name]


def test_worksteal_hands_out_the_plan_first(monkeypatch):
    monkeypatch.setattr(schedule, "load_seconds", lambda: SECONDS)
    ids = collection(FILES)
    scheduler = schedule.pytest_xdist_make_scheduler(Config("worksteal", 3), log=None)
    assert isinstance(scheduler, schedule.LongestFirstScheduling)
    nodes = [Node(f"gw{n}") for n in range(3)]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, ids)
    scheduler.schedule()
    assert [node.sent for node in nodes] == schedule.plan(ids, 3, SECONDS)
    assert scheduler.pending == []


def test_other_dist_modes_keep_xdists_own_scheduler():
    assert schedule.pytest_xdist_make_scheduler(Config("load", 3), log=None) is None


def test_the_suite_loads_the_scheduler(request):
    assert request.config.pluginmanager.get_plugin("tests.fixtures.schedule") is not None


def test_the_committed_seconds_name_real_test_files():
    seconds = schedule.load_seconds()
    root = schedule.SECONDS.parents[2]
    assert seconds, "tests/fixtures/seconds.json is missing or unreadable"
    stale = [file for file in seconds if not (root / file).is_file()]
    assert len(stale) <= len(seconds) // 10, f"run make bench to refresh: {stale}"
