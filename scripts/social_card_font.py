"""Cut the font of the link-preview card down to the characters it draws.

    python -m scripts.social_card_font      # needs Debian's fonts-noto-cjk

The card (site_hooks/social_card.py) draws the site name and the site's address at build
time with docs/overrides/social/card-font.otf, a subset of Noto Sans CJK JP Bold (SIL Open
Font License, docs/overrides/social/OFL.txt) holding printable ASCII, kana, CJK punctuation
and the kanji of `site_name` in mkdocs.yml. Run this again when the build says the name has
a character the font lacks.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
FACE = "Noto Sans CJK JP"
TARGET = ROOT / "docs/overrides/social/card-font.otf"
ASCII = "".join(chr(code) for code in range(0x20, 0x7F))
# Every kana and the CJK punctuation too, so most renames need no new subset.
KANA = "".join(
    chr(code)
    for code in (
        *range(0x3000, 0x3040),
        *range(0x3041, 0x3097),
        *range(0x30A0, 0x3100),
        *range(0xFF01, 0xFF5F),
    )
)


def site_name() -> str:
    # Only site_name is read: the !!python tags elsewhere in mkdocs.yml need no resolving.
    for line in (ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("site_name:"):
            return str(yaml.safe_load(line)["site_name"])
    raise SystemExit("mkdocs.yml has no site_name")


def main() -> int:
    if not SOURCE.is_file():
        print(f"{SOURCE} is missing: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 2
    collection = TTCollection(str(SOURCE))
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == FACE)
    options = subset.Options()
    options.layout_features = ["kern", "palt"]
    options.name_IDs = ["*"]  # keep the copyright and licence records
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=ASCII + KANA + site_name())
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(TARGET))
    print(f"wrote {TARGET.relative_to(ROOT)} ({TARGET.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
