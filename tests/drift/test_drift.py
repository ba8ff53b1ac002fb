"""drift/: the guide notices when a source of a fact it states changes.

What a maintainer is promised: `python -m drift` checks every source in data/facts.toml that a
machine can check and writes reports/drift.json; a changed source marks its fact (and the
page then says 「要再確認」), an unchanged one does not, an unreachable source is "unknown"
(never "unchanged") and fails the run, a newer runpod release is reported, the ECB rate is
read for the yen, and a registry entry without its source or date stops the run.

Offline: every answer comes from tests/drift/answers/ through `responses`; a URL it does not
know is a connection error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from scripts.drift import checks, run, web
from site_hooks import factbook
from tests.site.pages import PROJECT
from tests.site.test_facts import project, render

ANSWERS = Path(__file__).with_name("answers")
REGISTRY = factbook.parse((PROJECT / "data" / "facts.toml").read_text(encoding="utf-8"))
OPENAPI = json.loads((ANSWERS / "openapi.json").read_text(encoding="utf-8"))


@dataclass
class World:
    """What the sources say today; each test changes one thing."""

    changed_paths: set[tuple[str, str]] = field(default_factory=set)  # (repo, path)
    issue_updated: str = "2025-05-07T18:30:02Z"
    pypi: dict[str, str] = field(default_factory=dict)  # package -> newest version
    tag_gone: bool = False
    newer_tag: bool = False
    openapi: dict = field(default_factory=lambda: OPENAPI)
    ecb: str = (ANSWERS / "ecb-rates.csv").read_text(encoding="utf-8")
    down: set[str] = field(default_factory=set)  # hosts that answer 503
    seen: list = field(default_factory=list)  # (url, headers) of every request

    def answer(self, request):
        host = urlsplit(request.url).hostname
        self.seen.append((request.url, dict(request.headers)))
        if host in self.down:
            return 503, {}, "Service Unavailable"
        for pattern, handler in self.routes():
            match = re.match(pattern, request.url)
            if match:
                return handler(request, match)
        return 404, {}, "not found"

    def routes(self):
        return [
            (r"https://api\.github\.com/repos/([^/]+/[^/]+)/commits\?", self.commits),
            (r"https://api\.github\.com/repos/[^/]+/[^/]+/issues/\d+$", self.issue),
            (r"https://pypi\.org/pypi/([^/]+)/json$", self.release),
            (r"https://hub\.docker\.com/v2/repositories/runpod/pytorch/tags/([^/?]+)$", self.tag),
            (r"https://hub\.docker\.com/v2/repositories/runpod/pytorch/tags\?", self.tags),
            (r"https://api\.runpod\.io/v2/openapi\.json$", lambda r, m: json_answer(self.openapi)),
            (r"https://data-api\.ecb\.europa\.eu/", lambda r, m: (200, {}, self.ecb)),
        ]

    def commits(self, request, match):
        path = parse_qs(urlsplit(request.url).query)["path"][0]
        commit = json.loads((ANSWERS / "github-commit.json").read_text(encoding="utf-8"))
        return json_answer([commit] if (match[1], path) in self.changed_paths else [])

    def issue(self, request, match):
        issue = json.loads((ANSWERS / "github-issue.json").read_text(encoding="utf-8"))
        return json_answer({**issue, "updated_at": self.issue_updated})

    def release(self, request, match):
        stated = {
            f.params["package"]: f.params["value"]
            for f in REGISTRY.facts.values()
            if f.check == "pypi"
        }
        version = self.pypi.get(match[1], stated.get(match[1], "0.0.1"))
        return json_answer({"info": {"name": match[1], "version": version}})

    def tag(self, request, match):
        return (404, {}, "{}") if self.tag_gone else json_answer({"name": match[1]})

    def tags(self, request, match):
        listing = json.loads((ANSWERS / "dockerhub-tags.json").read_text(encoding="utf-8"))
        if not self.newer_tag:
            listing["results"] = [
                r for r in listing["results"] if not r["name"].startswith("1.0.8")
            ]
        return json_answer(listing)


def json_answer(body) -> tuple[int, dict, str]:
    return 200, {"Content-Type": "application/json"}, json.dumps(body)


@pytest.fixture
def world(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("DRIFT_REPORT", raising=False)
    state = World()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.GET, re.compile(r"https://.*"), callback=state.answer)
        yield state


@pytest.fixture
def root(tmp_path) -> Path:
    """A copy of the project's registry whose OpenAPI hash is that of the recorded answer."""
    (tmp_path / "data").mkdir()
    text = (PROJECT / "data" / "facts.toml").read_text(encoding="utf-8")
    stated = REGISTRY.facts["rest_v2_openapi"].params["value"]
    text = text.replace(stated, checks.canonical_hash(OPENAPI))
    (tmp_path / "data" / "facts.toml").write_text(text, encoding="utf-8")
    return tmp_path


def drift(root: Path, capsys) -> tuple[int, dict, str]:
    out = root / "reports" / "drift.json"
    code = run.main(["--out", str(out)], client=web.session(backoff=0), root=root)
    return code, json.loads(out.read_text(encoding="utf-8")), capsys.readouterr().out


def statuses(report: dict) -> dict[str, str]:
    return {name: entry["status"] for name, entry in report["facts"].items()}


# --- nothing moved ----------------------------------------------------------------------------


def test_unchanged_sources_mark_nothing_and_the_run_passes(world, root, capsys):
    code, report, out = drift(root, capsys)
    assert code == 0, out
    kinds = {name: fact.check for name, fact in REGISTRY.facts.items()}
    assert statuses(report) == {
        name: "manual" if kind == "manual" else "unchanged" for name, kind in kinds.items()
    }
    assert report["rate"] == {
        "status": "read",
        "value": round(175.68 / 1.1172, 2),
        "day": "2026-10-30",
        "source": checks.ECB_RATES,
    }
    assert report["notices"] == []
    assert all(
        entry["checked"] == REGISTRY.facts[name].checked.isoformat()
        for name, entry in report["facts"].items()
    )
    assert f"drift: {len(kinds)} facts, 0 changed" in out


def test_commits_are_asked_for_after_the_checked_day_only(world, root, capsys):
    drift(root, capsys)
    asked = [parse_qs(urlsplit(url).query) for url, _ in world.seen if "/commits?" in url]
    fact = REGISTRY.facts["spend_limit"]
    wanted = {"path": fact.params["paths"], "since": ["2026-08-21T00:00:00Z"]}
    assert any(
        query["path"] == wanted["path"] and query["since"] == wanted["since"] for query in asked
    )


# --- a source moved ----------------------------------------------------------------------------


def test_a_changed_file_marks_every_fact_it_backs_and_fails_the_run(world, root, capsys):
    world.changed_paths.add(("runpod/docs", "accounts-billing/billing.mdx"))
    code, report, out = drift(root, capsys)
    assert code == 1
    backed = {
        n
        for n, f in REGISTRY.facts.items()
        if "accounts-billing/billing.mdx" in f.params.get("paths", ())
    }
    assert backed == {"spend_limit", "prepaid_card_minimum", "topup_min"}
    changed = {name for name, status in statuses(report).items() if status == "changed"}
    assert changed == backed
    detail = report["facts"]["spend_limit"]["detail"]
    assert "accounts-billing/billing.mdx 5b2c0e9 2026-10-02" in detail
    assert "changed   spend_limit: runpod/docs: commits after 2026-08-20" in out


def test_the_page_says_recheck_for_a_changed_source_and_not_for_the_others(
    world, root, capsys, tmp_path
):
    world.changed_paths.add(("runpod/docs", "accounts-billing/billing.mdx"))
    _, report, _ = drift(root, capsys)
    (tmp_path / "site").mkdir()
    site = project(tmp_path / "site", drift=report)
    assert render(site, "[[cite:spend_limit]]").endswith("、**要再確認**")
    assert "要再確認" not in render(site, "[[cite:volume_grows_only]]")


def test_an_issue_updated_after_the_checked_day_is_a_change(world, root, capsys):
    world.issue_updated = "2026-12-10T08:00:00Z"
    _, report, _ = drift(root, capsys)
    assert statuses(report)["no_capacity_constraints"] == "changed"
    assert "updated 2026-12-10" in report["facts"]["no_capacity_constraints"]["detail"]


def test_a_runpod_release_newer_than_1_12_0_is_reported(world, root, capsys):
    world.pypi["runpod"] = json.loads(
        (ANSWERS / "pypi-runpod-1.13.0.json").read_text(encoding="utf-8")
    )["info"]["version"]
    code, report, out = drift(root, capsys)
    assert code == 1
    assert report["facts"]["runpod_sdk"] | {"detail": ""} == {
        "status": "changed",
        "detail": "",
        "checked": "2026-12-06",
        "check": "pypi",
        "latest": "1.13.0",
    }
    assert len(report["notices"]) == 1 and "runpod 1.13.0 is on PyPI" in report["notices"][0]
    assert "notice    runpod 1.13.0 is on PyPI" in out


def test_a_newer_kaggle_release_marks_the_pinned_version(world, root, capsys):
    world.pypi["kaggle"] = "2.3.0"
    _, report, _ = drift(root, capsys)
    assert statuses(report)["kaggle_cli_release"] == "changed"
    assert statuses(report)["runpod_sdk"] == "unchanged" and report["notices"] == []


def test_a_removed_image_tag_is_a_change(world, root, capsys):
    world.tag_gone = True
    _, report, _ = drift(root, capsys)
    assert statuses(report)["recommended_image"] == "changed"
    assert "is no longer on Docker Hub" in report["facts"]["recommended_image"]["detail"]


def test_a_newer_official_tag_of_the_same_kind_is_a_change(world, root, capsys):
    world.newer_tag = True
    _, report, _ = drift(root, capsys)
    entry = report["facts"]["recommended_image"]
    assert entry["status"] == "changed"
    assert entry["latest"] == "1.0.8-cu1281-torch291-ubuntu2404"  # not the CUDA 13.0 one
    assert "cu1300" not in entry["detail"]


def test_a_changed_openapi_is_a_change_but_reformatting_is_not(world, root, capsys):
    world.openapi = json.loads(json.dumps(OPENAPI, indent=4))  # same document, other spacing
    _, report, _ = drift(root, capsys)
    assert statuses(report)["rest_v2_openapi"] == "unchanged"
    world.openapi = {**OPENAPI, "paths": {**OPENAPI["paths"], "/v2/volumes": {}}}
    _, report, _ = drift(root, capsys)
    assert statuses(report)["rest_v2_openapi"] == "changed"


# --- a source cannot be read ------------------------------------------------------------------


HOSTS = {
    "api.github.com": ("commits", "issue"),
    "pypi.org": ("pypi",),
    "hub.docker.com": ("docker",),
    "api.runpod.io": ("openapi",),
}


@pytest.mark.parametrize("host", HOSTS)
def test_an_unreachable_source_is_unknown_never_unchanged(world, root, capsys, host):
    world.down.add(host)
    code, report, out = drift(root, capsys)
    assert code == 1
    for name, fact in REGISTRY.facts.items():
        entry = report["facts"][name]
        if fact.check in HOSTS[host]:
            assert entry["status"] == "unknown", name
            assert f"HTTP 503 for https://{host}/" in entry["detail"], name
        else:
            assert entry["status"] in ("unchanged", "manual"), name
    assert "unknown" in out


def test_no_network_at_all_is_unknown_everywhere(root, capsys, monkeypatch):
    monkeypatch.delenv("DRIFT_REPORT", raising=False)
    with responses.RequestsMock():  # knows no URL: every request is a connection error
        code, report, _ = drift(root, capsys)
    assert code == 1
    assert set(statuses(report).values()) == {"unknown", "manual"}
    assert report["rate"]["status"] == "unknown"


@pytest.mark.parametrize(
    "body",
    [
        "not a csv at all",
        "KEY,CURRENCY,TIME_PERIOD,OBS_VALUE\nx,USD,2026-10-30,1.1\n",
        "KEY,CURRENCY,TIME_PERIOD,OBS_VALUE\nx,USD,2026-10-30,0\nx,JPY,2026-10-30,175\n",
    ],
    ids=["not csv", "no JPY", "zero"],
)
def test_an_odd_ecb_answer_leaves_the_rate_unknown(world, root, capsys, body):
    world.ecb = body
    code, report, _ = drift(root, capsys)
    assert code == 1 and report["rate"]["status"] == "unknown"


def test_a_github_answer_of_another_shape_is_unknown(world, root, capsys):
    world.routes = lambda: [(r"https://api\.github\.com/", lambda r, m: json_answer({"x": 1}))]
    _, report, _ = drift(root, capsys)
    assert statuses(report)["spend_limit"] == "unknown"


# --- what the job may send, and a broken registry ---------------------------------------------


def test_the_github_token_goes_to_github_only(world, root, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_exampleToken0123456789")
    drift(root, capsys)
    for url, headers in world.seen:
        sent = headers.get("Authorization")
        if urlsplit(url).hostname == "api.github.com":
            assert sent == "Bearer ghs_exampleToken0123456789", url
        else:
            assert sent is None, url
    assert "ghs_exampleToken" not in (root / "reports" / "drift.json").read_text()


@pytest.mark.parametrize("field", ["url", "checked"])
def test_a_fact_without_its_source_or_date_stops_the_run(root, capsys, field):
    text = (root / "data" / "facts.toml").read_text(encoding="utf-8")
    start = text.index("[fact.spend_limit]")
    end = text.index("[fact.", start + 1)
    block = "\n".join(
        line for line in text[start:end].splitlines() if not line.startswith(f"{field} =")
    )
    (root / "data" / "facts.toml").write_text(text[:start] + block + "\n\n" + text[end:])
    code = run.main(["--out", str(root / "drift.json")], client=web.session(backoff=0), root=root)
    assert code == 2
    assert f"[fact.spend_limit] has no {field}" in capsys.readouterr().err
    assert not (root / "drift.json").exists()


def test_the_report_goes_where_drift_report_says(world, root, capsys, monkeypatch):
    target = root / "elsewhere" / "d.json"
    monkeypatch.setenv("DRIFT_REPORT", str(target))
    assert run.main([], client=web.session(backoff=0), root=root) == 0
    assert json.loads(target.read_text())["schema"] == 1


def test_web_refuses_plain_http():
    with pytest.raises(web.Unreachable, match="non-https"):
        web.get(web.session(backoff=0), "http://pypi.org/pypi/runpod/json")


def test_the_workflow_runs_drift_nightly_and_keeps_its_report():
    workflow = (PROJECT / ".github" / "workflows" / "drift.yml").read_text(encoding="utf-8")
    assert re.search(r"cron: \"\d+ \d+ \* \* \*\"", workflow)
    assert ".venv/bin/python -m scripts.drift" in workflow and "name: drift-report" in workflow
    assert "path: reports/drift.json" in workflow and "if: always()" in workflow
