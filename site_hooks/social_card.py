"""Draw the picture that link previews show (og:image) when the site is built.

One card for the whole site, 1200 x 630 px PNG at assets/images/social-card.png: the site
name and the site's address on Material's indigo. docs/overrides/main.html points og:image and
twitter:image at it. The font is a subset of Noto Sans CJK JP Bold committed beside the
templates (docs/overrides/social/card-font.otf); when site_name gains a character the subset
lacks, the build fails and says to run `python -m scripts.social_card_font`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import _common
from fontTools.ttLib import TTFont
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from PIL import Image, ImageDraw, ImageFont

CARD = "assets/images/social-card.png"
FONT = "docs/overrides/social/card-font.otf"
SIZE = (1200, 630)
BACKGROUND = (63, 81, 181)  # Material's indigo (primary colour in mkdocs.yml)
FOREGROUND = (255, 255, 255)
MARGIN = 80


def missing_characters(font_path: Path, text: str) -> list[str]:
    cmap = TTFont(str(font_path))["cmap"].getBestCmap()
    return sorted({char for char in text if not char.isspace() and ord(char) not in cmap})


def fit(draw: ImageDraw.ImageDraw, text: str, font_path: Path, largest: int) -> ImageFont:
    """The largest font size, down from `largest`, at which `text` fits on one line."""
    for size in range(largest, 24, -4):
        font = ImageFont.truetype(str(font_path), size)
        if draw.textlength(text, font=font) <= SIZE[0] - 2 * MARGIN:
            return font
    return ImageFont.truetype(str(font_path), 24)


def draw_card(title: str, address: str, font_path: Path) -> Image.Image:
    card = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, SIZE[1] - 24, SIZE[0], SIZE[1]), fill=(48, 63, 159))
    title_font = fit(draw, title, font_path, 96)
    draw.text((MARGIN, SIZE[1] // 2 - 40), title, font=title_font, fill=FOREGROUND, anchor="ls")
    draw.text(
        (MARGIN, SIZE[1] // 2 + 70),
        address,
        fill=FOREGROUND,
        anchor="ls",
        font=ImageFont.truetype(str(font_path), 40),
    )
    return card


def on_post_build(*, config: MkDocsConfig) -> None:
    font_path = _common.project_root(config) / FONT
    if not font_path.is_file():
        raise PluginError(f"{FONT} is missing; run `python -m scripts.social_card_font`")
    site = urlsplit(config.site_url or "")
    address = (site.netloc + site.path).rstrip("/")
    missing = missing_characters(font_path, config.site_name + address)
    if missing:
        raise PluginError(
            f"mkdocs.yml: site_name or site_url uses {''.join(missing)!r}, which {FONT} "
            "lacks; run `python -m scripts.social_card_font` (needs fonts-noto-cjk)"
        )
    target = Path(config.site_dir) / CARD
    target.parent.mkdir(parents=True, exist_ok=True)
    draw_card(config.site_name, address, font_path).save(target, optimize=True)
