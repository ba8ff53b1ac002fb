"""The Japanese query step of the site search (site_hooks/search_ja.js and .py), run in Node
with Material's own TinySegmenter and the separator from mkdocs.yml. The browser tests
(tests/browser/test_search.py) ask the real search; these pin down each piece quickly."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import material
import pytest

from site_hooks import search_ja
from tests.site.pages import load_config

TINYSEG = Path(material.__file__).parent / "templates/assets/javascripts/lunr/tinyseg.js"
HARNESS = """
const fs = require("fs"), vm = require("vm");
const [separator, prelude, tinyseg, calls] = JSON.parse(fs.readFileSync(0, "utf8"));
const ctx = { lunr: { tokenizer: { separator: new RegExp(separator) } } };
ctx.self = ctx; ctx.addEventListener = () => {}; ctx.postMessage = () => {};
vm.createContext(ctx);
vm.runInContext(tinyseg, ctx);
ctx.lunr.segmenter = new ctx.lunr.TinySegmenter();
vm.runInContext(prelude, ctx);
const api = ctx.kglSearchJa;
process.stdout.write(JSON.stringify(calls.map(([name, arg]) => {
  if (name === "rerank") { const result = arg[1]; api.rewrite(arg[0]); api.rerank(result);
    return result.items.map(sections => sections[0].location); }
  if (name === "terms") { const result = arg[1]; api.rewrite(arg[0]); api.rerank(result);
    return result.items.map(sections => sections.map(section => section.terms)); }
  return api[name](arg);
})));
"""


def separator() -> str:
    for plugin in load_config()["plugins"]:
        if isinstance(plugin, dict) and "search" in plugin:
            return plugin["search"]["separator"]
    raise AssertionError("mkdocs.yml configures no search separator")


def node(*calls):
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    payload = json.dumps([separator(), search_ja.prelude(), TINYSEG.read_text("utf-8"),
                          list(calls)])
    done = subprocess.run(["node", "-e", HARNESS], input=payload, capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("残高が尽きた", ["残高", "尽"]),
        ("課金を止める", ["課金", "止"]),
        ("SSH 接続できない", ["ssh", "接続"]),
        ("ＳＳＨで接続できない？", ["ssh", "接続"]),  # full-width letters and a question mark
        ("kaggle.jsonをSecretsに入れたい", ["kaggle.json", "secrets", "入"]),
        ("ネットワークボリュームを作る", ["ネットワークボリューム", "作"]),
        ("が", ["が"]),  # nothing but a particle: keep it rather than ask for nothing
    ],
)
def test_questions_are_cut_like_the_index_without_particles(question, words):
    [analysed] = node(["analyse", question])
    assert analysed["words"] == words


def test_synonyms_join_the_query_and_lunr_syntax_is_left_alone():
    plain, syntax, exact = node(["rewrite", "料金を知りたい"], ["rewrite", "+pod -gpu"],
                                ["rewrite", '"ネットワークボリューム"'])
    assert plain.split()[:3] == ["料金", "費用", "お金"] and "知" in plain.split()
    assert syntax == "+pod -gpu" and exact == '"ネットワークボリューム"'


def result(*pages):
    """Material's result: one list of sections per page, each {location, title, text}."""
    return {"items": [[{"location": loc, "title": title, "text": text}]
                      for loc, title, text in pages]}


def test_pages_whose_headings_hold_the_question_come_first():
    [order] = node(["rerank", ["残高が尽きた", result(
        ("runpod/#credit", "クレジットをチャージする", "残高が尽きる前に"),
        ("cleanup/#balance", "残高が尽きたらどうなるか", "止まります"),
    )]])
    assert order == ["cleanup/#balance", "runpod/#credit"]


def test_of_two_complete_headings_the_shorter_wins_and_page_titles_count():
    [shorter, title] = node(
        ["rerank", ["ネットワークボリュームとは", result(
            ("tips/cost/#estimate", "ネットワークボリュームの費用を見積もる", ""),
            ("storage/#what", "ネットワークボリュームとは", ""),
        )]],
        ["rerank", ["Secrets", result(
            ("troubleshooting/#s", "Secretsの値がおかしい", ""),
            ("tips/secrets/", "Tips: Secrets", ""),
        )]],
    )
    assert shorter == ["storage/#what", "tips/cost/#estimate"]
    assert title == ["tips/secrets/", "troubleshooting/#s"]


def test_synonym_groups_are_read_both_ways(tmp_path):
    table = search_ja.synonyms()
    assert "費用" in table["料金"] and "料金" in table["費用"]
    bad = tmp_path / "synonyms.yml"
    bad.write_text("- [料金]\n", encoding="utf-8")
    with pytest.raises(search_ja.PluginError, match="two or more words"):
        search_ja.synonyms(bad)


def test_a_changed_worker_fails_the_build_and_a_patched_one_is_kept():
    worker = (Path(material.__file__).parent / "templates/assets/javascripts/workers")
    code = next(worker.glob("search.*.min.js")).read_text(encoding="utf-8")
    patched = search_ja.patched(code, "search.js")
    assert patched.startswith(search_ja.SIGNATURE) and search_ja.FIXED in patched
    assert search_ja.patched(patched, "search.js") == patched  # `mkdocs serve --dirty`
    with pytest.raises(search_ja.PluginError, match="worker changed"):
        search_ja.patched(code.replace(search_ja.BUGGY, "for(;;)"), "search.js")


def test_words_the_reader_did_not_type_are_never_listed_as_missing():
    """Material strikes through the query words a result lacks: a synonym the search added
    (料金 -> 費用, お金...) is not something the reader asked for."""
    typed = "料金を止めたい"
    rewritten = node(["rewrite", typed])[0].split()
    assert "費用" in rewritten and "停止" in rewritten  # synonyms are asked for...
    page = [{"location": "cleanup/", "title": "片付け", "text": "",
             "terms": {term: term in ("費用", "停止") for term in rewritten}}]
    [[[terms]]] = node(["terms", [typed, {"items": [page]}]])
    # ...but only the reader's own words may be shown as missing.
    assert {term for term, found in terms.items() if not found} == {"料金", "止"}
    assert terms["費用"] is True and terms["停止"] is True  # matched synonyms still highlight
