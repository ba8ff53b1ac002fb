"""Diagrams drawn at build time (site_hooks/diagrams.py): the pieces the build relies on."""

from __future__ import annotations

import pytest

from site_hooks import diagrams
from tests.site.pages import PROJECT

POD_DIAGRAM = """flowchart LR
    accTitle: 残るもの・消えるもの
    subgraph A["1つ目のPod"]
        A1["コンテナディスク"]
    end
    V[("ネットワークボリューム")]
    A -- "/workspace にマウント" --> V
    A1 -. "終了すると消える" .-> X["消える"]
"""


@pytest.mark.parametrize(
    ("source", "links"),
    [
        ("graph LR\n  A --> B", 1),
        ("graph LR\n  A --> B --> C", 2),
        ("graph TD\n  A -.-> B\n  B ==> C\n  C --- D\n  D --o E\n  E <--> F", 5),
        ('graph LR\n  A -- "text with -- dashes" --> B', 1),
        ("graph LR\n  A -->|label| B", 1),
        ("graph LR\n  A[start] --> B{a -> b?}", 1),
        (POD_DIAGRAM, 2),
        ("graph LR\n  %% A --> B is a comment\n  subgraph S\n  end", 0),
    ],
)
def test_links_are_counted_the_way_mermaid_draws_them(source, links):
    assert diagrams.count_links(diagrams.split_accessibility(source)[0]) == links


def test_acc_lines_name_the_diagram_and_leave_the_drawing():
    source, title, description = diagrams.split_accessibility(
        "graph LR\n  accTitle: 題\n  accDescr: 説明の文\n  A --> B\n"
    )
    assert (title, description) == ("題", "説明の文")
    assert "acc" not in source and "A --> B" in source
    _, _, block = diagrams.split_accessibility("graph LR\n  accDescr {\n  二行の\n  説明\n  }\n")
    assert block == "二行の 説明"


def test_the_drawing_is_described_one_sentence_per_arrow():
    root = PROJECT
    [svg] = diagrams.draw([diagrams.split_accessibility(POD_DIAGRAM)[0]], root, "test")
    assert diagrams.describe(svg) == (
        "「1つ目のPod」から「ネットワークボリューム」へ（/workspace にマウント）。"
        "「コンテナディスク」から「消える」へ（終了すると消える）。"
    )


def test_ids_are_unique_per_diagram_and_no_font_is_fetched():
    [svg] = diagrams.draw(["graph LR\n  A --> B"], PROJECT, "test")
    assert "fonts.googleapis.com" in svg  # the library's own <style> imports a web font
    first, second = diagrams.prepare(svg, "d1"), diagrams.prepare(svg, "d2")
    assert "<style>" not in first and "googleapis" not in first
    assert 'id="d1-arrowhead"' in first and "url(#d1-arrowhead)" in first
    assert 'id="d2-arrowhead"' in second and 'id="arrowhead"' not in second


def test_drawings_are_cached_by_source_and_library_version(tmp_path, monkeypatch):
    (tmp_path / "node_modules").symlink_to(PROJECT / "node_modules")
    calls = []
    real = diagrams.run_renderer
    monkeypatch.setattr(diagrams, "run_renderer",
                        lambda sources, *a: calls.append(sources) or real(sources, *a))
    diagrams.draw(["graph LR\n  A --> B"], tmp_path, "page.md")
    diagrams.draw(["graph LR\n  A --> B", "graph LR\n  B --> C"], tmp_path, "page.md")
    assert calls == [["graph LR\n  A --> B"], ["graph LR\n  B --> C"]]
    assert diagrams.cache_key("x", "1.0") != diagrams.cache_key("x", "1.1")


def test_without_the_renderer_the_build_says_what_to_install(tmp_path):
    with pytest.raises(diagrams.PluginError, match=r"page\.md draws Mermaid.*npm ci"):
        diagrams.draw(["graph LR\n  A --> B"], tmp_path, "page.md")
