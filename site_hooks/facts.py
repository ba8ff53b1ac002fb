"""Numbers, dates and sources on pages come from data, never typed into prose.

Pages write placeholders; this hook fills them before Markdown is rendered:

- `[[fact:NAME]]` a price or a derived amount, e.g. `[[fact:tonight_total]]` -> 2.34ドル,
  `[[fact:gpu_hour_rtx_4090]]` (every GPU of the price file, by its label) -> 0.74ドル;
  `[[fact:NAME N]]` the amount for a size, e.g. `[[fact:volume_month 50]]` -> 3.50ドル
- `[[yen:NAME]]` / `[[yen:NAME N]]` the same amount in yen, e.g. 約368円
- `[[rate:usd_jpy]]` the rate those yen figures use, with its ECB date (and its age when stale)
- `[[date:NAME]]` when the number was read, e.g. 2026年8月20日
- `[[source:NAME]]` where it was read (a URL, for a link: `[料金]([[source:NAME]])`)
- `[[cite:FACT]]` a fact of data/facts.toml: its source link and the date it was checked;
  「要再確認」 when the nightly drift job saw its source change
- `[text](repo:)` / `[text](repo:issues)` links to `repo_url` in mkdocs.yml (plus the path)

Prices come from site_hooks/pricebook.py (data/prices.toml and a real run's newer readings);
facts and the rate from site_hooks/factbook.py (data/facts.toml and reports/drift.json). The
build fails naming the page for an unknown or malformed placeholder, naming the entry for a
price or a fact without its source or date, and naming both when a page states a registered
fact that the registry does not list for it (or the registry lists a page that never cites it).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

import _common
import factbook
import pricebook
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

PLACEHOLDER = re.compile(
    r"\[\[(fact|yen|date|source|cite|rate):([a-z][a-z0-9_]*)(?: ([0-9]+(?:\.[0-9]+)?))?\]\]"
)
ANY_PLACEHOLDER = re.compile(r"\[\[(?:fact|yen|date|source|cite|rate):[^\]]*\]\]")
REPO_LINK = re.compile(r"\]\(repo:([^)\s]*)\)")
RECHECK = "**要再確認**"  # Markdown: the page renders it bold


@dataclass(frozen=True)
class Amount:
    """A number a page shows: its text, its value in dollars (None: not money), its reading."""

    text: str
    usd: float | None
    reading: pricebook.Reading
    registered: str  # the fact of data/facts.toml it rests on


@dataclass(frozen=True)
class Priced:
    compute: object  # (size | None) -> Amount
    takes_size: bool = False


_state: dict = {"amounts": None, "error": None, "registry": None, "uses": {}, "today": None}


def usd(value: float) -> str:
    """Dollars as the pages write them: 10ドル, 0.07ドル, 2.34ドル, 0.0025ドル."""
    if value == int(value):
        return f"{int(value)}ドル"
    if round(value, 2) == value:
        return f"{value:.2f}ドル"
    return f"{value:.4f}".rstrip("0") + "ドル"


def yen(value: float) -> str:
    """Yen as the pages write them: 約368円, 約1,234円, 約0.4円."""
    return f"約{value:,.0f}円" if value >= 1 else f"約{value:.1f}円"


def japanese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def today() -> dt.date:
    """Today in Japan; SITE_NOW (an ISO date or time) freezes it, as for the stamps."""
    frozen = os.environ.get("SITE_NOW")
    if frozen:
        moment = dt.datetime.fromisoformat(frozen)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    else:
        moment = dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.timezone(dt.timedelta(hours=9))).date()


def gpu_hour_name(label: str) -> str:
    """The placeholder name of a GPU's hourly price: RTX 4090 -> gpu_hour_rtx_4090."""
    return "gpu_hour_" + re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def build_amounts(book: pricebook.PriceBook) -> dict[str, Priced]:
    """Every priced placeholder, from the price book."""
    tonight = book.data["tonight"]
    gpu, volume = book.gpu(tonight["gpu"]), book.storage("runpod_volume")
    topup = book.entry("billing", "minimum_topup", "usd")
    stopped = book.entry("pod_disk", "volume_disk_stopped", "usd_per_gb_month")
    hours, size = float(tonight["hours"]), float(tonight["volume_gb"])
    label = book.data["gpu"][tonight["gpu"]]["label"]

    def volume_day(gb: float) -> float:
        return pricebook.volume_cost(gb, volume.value, 24)

    def money(value: float, reading, fact: str, exact: bool = False) -> Amount:
        return Amount(usd(value if exact else round(value, 2)), value, reading, fact)

    def text(value: str, reading, fact: str) -> Amount:
        return Amount(value, None, reading, fact)

    oldest = min((gpu, volume), key=lambda r: r.day)
    total = pricebook.Reading(0, oldest.day, gpu.source)
    tonight_total = gpu.value * hours + volume_day(size)
    fixed = {
        "topup_min": money(topup.value, topup, "topup_min", exact=True),
        "volume_gb_month": money(volume.value, volume, "volume_price", exact=True),
        "volume_disk_stopped_gb_month": money(stopped.value, stopped, "stopped_disk_price", True),
        "tonight_gpu_name": text(label, gpu, "gpu_price"),
        "tonight_gpu_hour": money(gpu.value, gpu, "gpu_price", exact=True),
        "tonight_hours": text(f"{hours:g}", gpu, "gpu_price"),
        "tonight_gpu_cost": money(gpu.value * hours, gpu, "gpu_price"),
        "tonight_volume_gb": text(f"{size:g}", volume, "volume_price"),
        "tonight_volume_day": money(volume_day(size), volume, "volume_price"),
        "tonight_total": money(tonight_total, total, "gpu_price"),
    }
    fixed |= {
        gpu_hour_name(entry["label"]): money(
            book.gpu(gpu_id).value, book.gpu(gpu_id), "gpu_price", exact=True
        )
        for gpu_id, entry in book.data["gpu"].items()
    }
    amounts = {name: Priced(lambda _, a=amount: a) for name, amount in fixed.items()}
    amounts["volume_month"] = Priced(
        lambda gb: money(gb * volume.value, volume, "volume_price"), takes_size=True
    )
    amounts["volume_day"] = Priced(
        lambda gb: money(volume_day(gb), volume, "volume_price"), takes_size=True
    )
    return amounts


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Read and check the price file, the fact registry and the reports once per build."""
    root = _common.project_root(config)
    _state.update(amounts=None, error=f"{pricebook.PRICES} is missing", uses={}, today=today())
    try:
        _state["registry"] = factbook.load(root)
    except factbook.RegistryError as error:
        raise PluginError(str(error)) from None
    except OSError:
        _state["registry"] = None
    if (root / pricebook.PRICES).is_file():
        try:
            book = pricebook.load(root / pricebook.PRICES, pricebook.report_path("real", root))
        except pricebook.PriceFileError as error:
            raise PluginError(f"{pricebook.PRICES}: {error}") from None
        try:
            _state["amounts"] = build_amounts(book)
        except KeyError as error:
            _state["error"] = f"{pricebook.PRICES} has no entry {error}"
    return config


def _registry(where: str, placeholder: str) -> factbook.Registry:
    if _state["registry"] is None:
        raise PluginError(f"{where}: {placeholder} needs {factbook.FACTS}")
    return _state["registry"]


def _fact(where: str, name: str, placeholder: str) -> factbook.Fact:
    facts = _registry(where, placeholder).facts
    if name not in facts:
        known = ", ".join(sorted(facts))
        raise PluginError(f"{where}: unknown fact {placeholder} (known: {known})")
    _state["uses"].setdefault(name, set()).add(where)
    return facts[name]


def cite(fact: factbook.Fact) -> str:
    checked = f"{japanese_date(fact.checked)}時点"
    return f"[{fact.label}]({fact.url})、{checked}" + (f"、{RECHECK}" if fact.recheck else "")


def rate_text(rate: factbook.Rate, on: dt.date) -> str:
    text = f"1ドル＝{rate.value:g}円（[{rate.label}]({rate.url})、{japanese_date(rate.day)}"
    if rate.stale(on):
        text += f"。{rate.age_days(on)}日前のレートなので、いまの為替とずれていることがあります"
    return text + "）"


def _amount(where: str, match: re.Match) -> Amount:
    kind, name, size = match.groups()
    amounts = _state["amounts"]
    if amounts is None:
        raise PluginError(f"{where}: {match[0]} needs {_state['error']}")
    priced = amounts.get(name)
    if priced is None:
        raise PluginError(
            f"{where}: unknown placeholder {match[0]} (known: {', '.join(sorted(amounts))})"
        )
    if priced.takes_size != (size is not None):
        needs = "a size, e.g. [[fact:NAME 50]]" if priced.takes_size else "no size"
        raise PluginError(f"{where}: {match[0]} takes {needs}")
    amount = priced.compute(float(size) if size else None)
    if kind == "yen" and amount.usd is None:
        raise PluginError(f"{where}: {match[0]}: {name} is not an amount of money")
    if _state["registry"] is not None:
        _fact(where, amount.registered, match[0])
    return amount


def _value(where: str, match: re.Match) -> str:
    kind, name, _size = match.groups()
    if kind == "cite":
        return cite(_fact(where, name, match[0]))
    if kind == "rate":
        if name != "usd_jpy":
            raise PluginError(f"{where}: unknown rate {match[0]} (known: usd_jpy)")
        return rate_text(_registry(where, match[0]).rate, _state["today"])
    amount = _amount(where, match)
    if kind == "yen":
        return yen(amount.usd * _state["registry"].rate.value)
    if kind == "date":
        recheck = _state["registry"] and _state["registry"].facts[amount.registered].recheck
        return japanese_date(amount.reading.day) + (f"（{RECHECK}）" if recheck else "")
    if kind == "source":
        return amount.reading.source
    return amount.text


def fill(markdown: str, where: str, repo_url: str | None) -> str:
    """The page with its placeholders and repo: links filled in."""

    def repo(match: re.Match) -> str:
        if not repo_url:
            raise PluginError(f"{where}: a repo: link needs repo_url in mkdocs.yml")
        path = match[1].lstrip("/")
        return f"]({repo_url.rstrip('/')}/{path})" if path else f"]({repo_url})"

    filled = PLACEHOLDER.sub(lambda match: _value(where, match), markdown)
    malformed = ANY_PLACEHOLDER.search(filled)
    if malformed:
        raise PluginError(f"{where}: malformed placeholder {malformed[0]}")
    return REPO_LINK.sub(repo, filled)


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    if not page.file.src_uri.endswith(".md"):
        return markdown  # notebooks arrive as JSON and hold no placeholders
    where = _common.source_path(page.file.abs_src_path, config)
    return fill(markdown, where, config.repo_url)


def check_citations(registry: factbook.Registry, uses: dict[str, set[str]], docs: str) -> None:
    """Each fact's listed pages are exactly the Markdown pages that state it."""
    for name, fact in registry.facts.items():
        listed = {f"{docs}/{page}" for page in fact.pages if page.endswith(".md")}
        citing = uses.get(name, set())
        for page in sorted(citing - listed):
            raise PluginError(
                f"{page} states the fact {name!r}, but {factbook.FACTS} "
                f"does not list the page under [fact.{name}] pages"
            )
        for page in sorted(listed - citing):
            raise PluginError(
                f"{factbook.FACTS}: [fact.{name}] lists {page}, which never cites "
                f"it (write [[cite:{name}]] where the page states it)"
            )


def on_post_build(*, config: MkDocsConfig) -> None:
    if _state["registry"] is not None:
        docs = _common.source_path(config.docs_dir, config)
        check_citations(_state["registry"], _state["uses"], docs)
