"""Draw ```mermaid fences as inline SVG when the site is built: readers load no diagram library.

The fence stays the source of the drawing. pymdownx.superfences turns it into
`<pre class="mermaid"><code>...</code></pre>`; this hook hands every diagram of a page to
render_diagrams.mjs (the npm package beautiful-mermaid: pure JavaScript, no browser) and puts
the drawing in its place through the theme partial partials/diagram.html:

- colours are Material's CSS variables, so the drawing follows the light and dark schemes;
- the words stay text (<text> in the SVG), and the figure is described for screen readers
  by Mermaid's own `accTitle:` (required) and `accDescr:` lines, or, without accDescr, by a
  sentence per arrow generated from the drawing;
- a drawing that does not show every arrow of its source fails the build, naming the page
  (the library reads some sources Mermaid accepts differently, e.g. `A-->B` without spaces).

Drawings are cached in .cache/diagrams/ by source and library version, so `mkdocs serve`
redraws only what changed.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
from pathlib import Path

import _common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

FENCE = re.compile(r'<pre class="mermaid"><code>(?P<source>.*?)</code></pre>', re.S)
RENDERER = Path(__file__).with_name("render_diagrams.mjs")
LIBRARY = "node_modules/beautiful-mermaid/package.json"
CACHE = ".cache/diagrams"
ACC_LINE = re.compile(r"^\s*(accTitle|accDescr)\s*:\s*(.*?)\s*$", re.M)
ACC_BLOCK = re.compile(r"^\s*accDescr\s*\{(.*?)\}\s*$", re.M | re.S)
# One link between two nodes: -->, ---, -.->, ==>, --o, --x, <-->, and `-- text -->`.
LINK = re.compile(r"<?(?:-{2,}|={2,}|-\.+-)[>ox]?")
LINK_WITH_TEXT = re.compile(r"(?:--|==|-\.)\s[^|\n]*?(?:-->|==>|\.->|---|===)")
QUOTED = re.compile(r'"[^"\n]*"|\|[^|\n]*\|')
STYLE = re.compile(r"<style>.*?</style>\s*", re.S)
ID_ATTR = re.compile(r'\bid="([^"]+)"')
SVG_OPEN = re.compile(r'<svg\b([^>]*?) width="([\d.]+)"([^>]*?) style="([^"]*)"')
GROUP = re.compile(r'<g class="(?:node|subgraph)" data-id="([^"]*)" data-label="([^"]*)"')
EDGE = re.compile(r'<polyline class="edge" data-from="([^"]*)" data-to="([^"]*)"([^>]*)>')
LABEL = re.compile(r'\bdata-label="([^"]*)"')
PHONE_COLUMN_PX = 343  # the text column of a 375 px screen


def split_accessibility(source: str) -> tuple[str, str | None, str | None]:
    """(the diagram without its acc* lines, accTitle, accDescr)."""
    title = description = None
    block = ACC_BLOCK.search(source)
    if block:
        description = " ".join(block.group(1).split())
        source = source[: block.start()] + source[block.end() :]
    for kind, text in ACC_LINE.findall(source):
        if kind == "accTitle":
            title = text
        else:
            description = text
    return ACC_LINE.sub("", source), title, description


def count_links(source: str) -> int:
    """How many arrows (links) a flowchart source draws."""
    count = 0
    for line in source.splitlines():
        line = line.strip()
        if not line or line.startswith(("%%", "subgraph", "end", "classDef", "style", "class ")):
            continue
        line = QUOTED.sub('""', line)
        labelled = len(LINK_WITH_TEXT.findall(line))
        count += labelled + len(LINK.findall(LINK_WITH_TEXT.sub(" ", line)))
    return count


def cache_key(source: str, library_version: str) -> str:
    return hashlib.sha256(f"{library_version}\0{source}".encode()).hexdigest()[:32]


def run_renderer(sources: list[str], root: Path, where: str) -> list[dict]:
    """Draw each source with render_diagrams.mjs: [{"svg": ...} | {"error": ...}]."""
    try:
        done = subprocess.run(
            ["node", str(RENDERER)],
            input=json.dumps(sources),
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except FileNotFoundError:
        raise PluginError(f"{where}: drawing its diagrams needs node (Node.js 20+)") from None
    if done.returncode != 0:
        raise PluginError(
            f"{where}: the diagram renderer failed ({done.stderr.strip()[-500:]}); "
            "run `npm ci` (package.json lists beautiful-mermaid)"
        )
    return json.loads(done.stdout)


def draw(sources: list[str], root: Path, where: str) -> list[str]:
    """SVG for each source, from the cache or the renderer."""
    package = root / LIBRARY
    if not package.is_file():
        raise PluginError(f"{where} draws Mermaid diagrams, but {LIBRARY} is missing: run `npm ci`")
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    cache = root / CACHE
    paths = [cache / f"{cache_key(source, version)}.svg" for source in sources]
    missing = [i for i, path in enumerate(paths) if not path.is_file()]
    if missing:
        results = run_renderer([sources[i] for i in missing], root, where)
        cache.mkdir(parents=True, exist_ok=True)
        for i, result in zip(missing, results, strict=True):
            if "error" in result:
                first = sources[i].strip().splitlines()[0] if sources[i].strip() else ""
                raise PluginError(
                    f"{where}: the Mermaid diagram starting {first!r} cannot be drawn: "
                    f"{result['error']}"
                )
            paths[i].write_text(result["svg"], encoding="utf-8")
    return [path.read_text(encoding="utf-8") for path in paths]


def describe(svg: str) -> str:
    """One sentence per arrow, from the names the drawing shows."""
    names = {key: " ".join(html.unescape(label).split()) for key, label in GROUP.findall(svg)}
    sentences = []
    for start, end, attributes in EDGE.findall(svg):
        sentence = f"「{names.get(start, start)}」から「{names.get(end, end)}」へ"
        label = LABEL.search(attributes)
        if label and label.group(1):
            sentence += f"（{html.unescape(label.group(1))}）"
        sentences.append(sentence + "。")
    return "".join(sentences)


def prepare(svg: str, prefix: str) -> str:
    """The library's SVG, made fit for a page: no font import, ids unique on the page."""
    svg = STYLE.sub("", svg)  # docs/stylesheets/site.css styles every drawing
    for name in set(ID_ATTR.findall(svg)):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}-{name}"')
        svg = svg.replace(f"url(#{name})", f"url(#{prefix}-{name})")
    return svg


def figure(config: MkDocsConfig, source: str, svg: str, number: int, where: str) -> str:
    diagram, title, description = split_accessibility(source)
    if not title:
        raise PluginError(
            f"{where}: diagram {number} needs an `accTitle: ...` line (its name for screen readers)"
        )
    drawn = len(EDGE.findall(svg))
    expected = count_links(diagram)
    if drawn != expected:
        raise PluginError(
            f"{where}: diagram {number} ({title}) has {expected} arrows in its source but "
            f"{drawn} in the drawing; write links with spaces around them (A --> B)"
        )
    prefix = f"kgl-diagram-{number}"
    drawn_width = SVG_OPEN.search(svg)
    # Never wider than drawn; on a phone at least 32rem wide (the box scrolls instead).
    inner = SVG_OPEN.sub(
        lambda m: (
            f'<svg{m.group(1)} width="{m.group(2)}"{m.group(3)} role="img" '
            f'aria-labelledby="{prefix}-title" aria-describedby="{prefix}-desc" '
            f'style="max-width:{m.group(2)}px;min-width:min({m.group(2)}px,32rem);{m.group(4)}"'
        ),
        prepare(svg, prefix),
        count=1,
    )
    return _common.render_partial(
        config,
        "partials/diagram.html",
        svg=inner,
        prefix=prefix,
        title=title,
        description=description or describe(svg),
        # Wider than a phone's column (375 px less the page's margins): the box scrolls
        # there, and a visible hint says so (docs/stylesheets/site.css).
        wide=bool(drawn_width and float(drawn_width.group(2)) > PHONE_COLUMN_PX),
    )


def on_page_content(html_text: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    fences = list(FENCE.finditer(html_text))
    if not fences:
        return html_text
    where = _common.source_path(page.file.abs_src_path, config)
    sources = [html.unescape(match["source"]) for match in fences]
    drawable = [split_accessibility(source)[0] for source in sources]
    svgs = draw(drawable, _common.project_root(config), where)
    figures = iter(
        figure(config, source, svg, number, where)
        for number, (source, svg) in enumerate(zip(sources, svgs, strict=True), start=1)
    )
    return FENCE.sub(lambda _match: next(figures), html_text)
