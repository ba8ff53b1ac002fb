"""Console steps say what snippets/recommended_image.toml says (site_hooks/recommended.py).

The pod commands read the image, its CUDA versions and the container disk from that file; a
reader in the console copies them from the page. The page's copyable image block is the
file's image name, character for character, in a one-line block with a copy button.
"""

from __future__ import annotations

import tomllib

import pytest
from mkdocs.exceptions import PluginError

from site_hooks import recommended
from tests.site.pages import PROJECT, soup_of

TOML = tomllib.loads((PROJECT / "snippets/recommended_image.toml").read_text("utf-8"))
KNOWN = recommended.values(TOML)


def test_the_marker_becomes_a_one_line_block_at_its_indentation():
    page = "1. Image:\n\n    <!-- recommended-image -->\n\nDisk [[image:container_disk_gb]]GB"
    rendered = recommended.render(page, KNOWN, "x.md")
    assert f"    ```text\n    {TOML['image']['name']}\n    ```" in rendered
    assert rendered.endswith(f"Disk {TOML['pod']['container_disk_gb']}GB")


def test_an_unknown_value_fails_the_build_naming_the_page():
    with pytest.raises(PluginError, match=r"pod\.md: unknown placeholder \[\[image:nmae\]\]"):
        recommended.render("[[image:nmae]]", KNOWN, "docs/pod.md")


def test_the_built_console_steps_carry_the_files_values(built_site):
    soup = soup_of(built_site / "pod" / "index.html")
    blocks = [pre.get_text().strip() for pre in soup.select("article pre")]
    assert TOML["image"]["name"] in blocks  # the whole block is the image name, nothing else
    steps = soup.select_one("article .tabbed-block ol").get_text(" ", strip=True)
    assert f"Container Disk を {TOML['pod']['container_disk_gb']}GB以上" in steps
    assert f"CUDA Versions で、{TOML['image']['min_cuda']} 以上のバージョンだけ" in steps
    # The CUDA filter comes before the GPU is chosen, and both before anything is deployed.
    assert (
        steps.index("CUDA Versions")
        < steps.index("使いたいGPUを選びます")
        < steps.index("Deploy On-Demand")
    )


def test_the_gpu_table_prices_come_from_the_price_file(built_site):
    """pod.md's GPU/VRAM table: each price is the file's (gpu_hour_<label> facts)."""
    from site_hooks import facts

    prices = tomllib.loads((PROJECT / "data/prices.toml").read_text("utf-8"))["gpu"]
    table = soup_of(built_site / "pod" / "index.html").select_one("article table")
    rows = {row.select("td")[2].get_text(): row.select("td")[3].get_text()
            for row in table.select("tbody tr")}
    for entry in prices.values():
        shown = [price for gpu, price in rows.items() if gpu.startswith(entry["label"] + "（")]
        if shown:
            assert shown[0].startswith(facts.usd(entry["usd_per_hour"])), (entry["label"], shown)
    assert sum(1 for gpu in rows if "（" in gpu) >= 2, rows
