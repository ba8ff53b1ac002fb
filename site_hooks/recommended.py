"""Values of snippets/recommended_image.toml on pages, so console steps cannot drift from it.

The pod commands read the recommended image, its CUDA versions and the pod's defaults from
that file; the console steps a reader follows by hand must say the same. Pages write:

- a line `<!-- recommended-image -->`: a one-line code block holding the image name, with
  Material's copy button (indented like the marker, so it works inside tabs and lists);
- `[[image:name]]`, `[[image:cuda]]` (the image's CUDA), `[[image:min_cuda]]` (the lowest host
  CUDA version a pod may use, e.g. 12.8), `[[image:container_disk_gb]]` and `[[image:ports]]`
  in text.

An unknown name fails the build, naming the page.
"""

from __future__ import annotations

import re
import tomllib

import _common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

SOURCE = "snippets/recommended_image.toml"
BLOCK = re.compile(r"^(?P<indent>[ \t]*)<!-- recommended-image -->[ \t]*$", re.M)
VALUE = re.compile(r"\[\[image:([a-z_]+)\]\]")


def values(recommended: dict) -> dict[str, str]:
    image, pod = recommended["image"], recommended["pod"]
    return {
        "name": image["name"],
        "cuda": image["cuda"],
        "min_cuda": image["min_cuda"],
        "container_disk_gb": str(pod["container_disk_gb"]),
        "ports": pod["ports"],
    }


def render(markdown: str, known: dict[str, str], where: str) -> str:
    def block(match: re.Match) -> str:
        indent = match["indent"]
        return f"{indent}```text\n{indent}{known['name']}\n{indent}```"

    def value(match: re.Match) -> str:
        if match[1] not in known:
            raise PluginError(
                f"{where}: unknown placeholder {match[0]} (known: {', '.join(sorted(known))})"
            )
        return known[match[1]]

    return VALUE.sub(value, BLOCK.sub(block, markdown))


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    if not page.file.src_uri.endswith(".md"):
        return markdown
    if "<!-- recommended-image -->" not in markdown and "[[image:" not in markdown:
        return markdown
    path = _common.project_root(config) / SOURCE
    try:
        known = values(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, KeyError) as error:
        raise PluginError(f"{SOURCE} cannot be read for the console steps: {error}") from None
    return render(markdown, known, _common.source_path(page.file.abs_src_path, config))
