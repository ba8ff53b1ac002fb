"""Let Material's search understand Japanese questions, not only single words.

Two changes to the built search worker (assets/javascripts/workers/search.*.min.js):
- search_ja.js goes in front of it, with the synonyms of search_synonyms.yml: it cuts each
  query the way the index is cut (the `separator` in mkdocs.yml, then TinySegmenter), drops
  particles and auxiliaries, adds synonyms, and puts pages whose headings hold the reader's
  words first. It uses only the worker's messages, not Material's internals.
- Material segments a kanji query with the words of its own index, but its loop never
  tries a piece that ends at the last character (環境変数 became just 環境): one comparison
  in the minified worker is fixed (`<` -> `<=`).

If a Material upgrade changes the worker, the pattern is not found and the build fails:
check whether the upgrade fixed the bug (then drop that part) or adapt the pattern.
tests/browser/test_search.py and search_questions.yml (beside this file) prove it in a browser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

HERE = Path(__file__).parent
PRELUDE = HERE / "search_ja.js"
SYNONYMS = HERE / "search_synonyms.yml"
PLACEHOLDER = "/* SYNONYMS */ {}"
SIGNATURE = "// Japanese questions for Material's search worker."
# Minified loop of segment() in Material 9.x's search worker:
#   for (let j = i + 1; j < query.length; j++) if (query.slice(i, j) in index) ...
BUGGY = "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e"
FIXED = "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"
# Material's worker answers each message it receives through these two globals.
WORKER_API = ('addEventListener("message"', "postMessage(")


# A verb or adjective keeps only its kanji, as search_ja.js does with the reader's words.
INFLECTED = re.compile(r"^([\u3400-\u9fff\u3005]+)[\u3040-\u309f]+$")


def stem(word: object) -> str:
    word = str(word).lower()
    match = INFLECTED.match(word)
    return match.group(1) if match else word


def synonyms(path: Path = SYNONYMS) -> dict[str, list[str]]:
    """{word: the other words of every group it is in}, every word as search_ja.js cuts it."""
    groups = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    table: dict[str, list[str]] = {}
    for group in groups:
        if not isinstance(group, list) or len(group) < 2:
            raise PluginError(f"{path.name}: each entry is a list of two or more words: {group}")
        words = [stem(word) for word in group]
        for word in words:
            others = table.setdefault(word, [])
            others += [other for other in words if other != word and other not in others]
    return table


def prelude() -> str:
    code = PRELUDE.read_text(encoding="utf-8")
    if PLACEHOLDER not in code:
        raise PluginError(f"search_ja: {PRELUDE.name} lost its {PLACEHOLDER} placeholder")
    return code.replace(PLACEHOLDER, json.dumps(synonyms(), ensure_ascii=False)) + "\n"


def patched(code: str, name: str) -> str:
    if code.startswith(SIGNATURE):  # a `mkdocs serve --dirty` rebuild keeps the patched file
        return code
    missing = [part for part in (BUGGY, *WORKER_API) if part not in code]
    if missing or code.count(BUGGY) != 1:
        raise PluginError(
            f"search_ja: Material's search worker changed ({name}: {missing or 'twice'}); "
            "see site_hooks/search_ja.py"
        )
    return prelude() + code.replace(BUGGY, FIXED)


def on_post_build(*, config: MkDocsConfig) -> None:
    workers = sorted(
        Path(config.site_dir, "assets", "javascripts", "workers").glob("search.*.min.js")
    )
    if len(workers) != 1:
        raise PluginError(f"search_ja: expected one search worker, found {workers}")
    worker = workers[0]
    code = worker.read_text(encoding="utf-8")
    worker.write_text(patched(code, worker.name), encoding="utf-8")
