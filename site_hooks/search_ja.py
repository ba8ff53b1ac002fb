"""Make Material's search find kanji compounds such as 環境変数 and 飛行機雲 (owner: gates).

Material segments a kanji query with the words of its own index, but its loop never tries
a piece that ends at the last character: 環境変数 becomes just 環境, and 変数 is dropped, so
the Secrets page ranks below every page that merely says 環境. This hook fixes that one
comparison (`<` -> `<=`) in the built search worker. The `separator` in mkdocs.yml handles
the other half (splits between kanji, katakana and Latin letters, e.g. 計算リソース).

If a Material upgrade changes the worker, the pattern is not found and the build fails:
check whether the upgrade fixed the bug (then drop this hook) or adapt the pattern.
tests/browser/test_search.py proves the result in a real browser.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError

# Minified loop of segment() in Material 9.x's search worker:
#   for (let j = i + 1; j < query.length; j++) if (query.slice(i, j) in index) ...
BUGGY = "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e"
FIXED = "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"


def on_post_build(config, **kwargs):
    workers = sorted(Path(config["site_dir"], "assets", "javascripts", "workers").glob(
        "search.*.min.js"))
    if len(workers) != 1:
        raise PluginError(f"search_ja: expected one search worker, found {workers}")
    worker = workers[0]
    code = worker.read_text(encoding="utf-8")
    if FIXED in code and BUGGY not in code:
        return  # already patched (a `mkdocs serve --dirty` rebuild keeps the old file)
    if code.count(BUGGY) != 1:
        raise PluginError(
            f"search_ja: Material's search worker changed ({worker.name}); see "
            "site_hooks/search_ja.py"
        )
    worker.write_text(code.replace(BUGGY, FIXED), encoding="utf-8")
