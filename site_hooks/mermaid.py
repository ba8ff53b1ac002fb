"""Serve the Mermaid library from this site instead of unpkg.com.

Material draws ```mermaid fences with a global `mermaid` and fetches it from unpkg.com when
none exists. Every page gets a tiny stand-in `mermaid` object; the first diagram makes it load
assets/javascripts/mermaid.min.js from this site, which then replaces the stand-in. Pages
without diagrams load nothing. The file is copied from the npm package `mermaid` (11.x, the
major Material 9.x expects; listed in package.json) only when some page has a diagram.
"""

import json
import os
import shutil
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

LIBRARY = "assets/javascripts/mermaid.min.js"
NPM_FILE = "node_modules/mermaid/dist/mermaid.min.js"
STAND_IN = """<script>
window.mermaid = (function () {
  var src = new URL(%s, location.href).href, settings = {}, loading = null;
  function load() {
    loading = loading || new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { window.mermaid.initialize(settings); resolve(window.mermaid); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return loading;
  }
  return {
    initialize: function (options) { settings = options; },
    render: function (id, text) {
      return load().then(function (real) { return real.render(id, text); });
    }
  };
})();
</script>
"""

_pages_with_diagrams = []


def on_pre_build(config):
    _pages_with_diagrams.clear()


def _with_stand_in(output, library_url):
    # Before Material's config and bundle, so the bundle finds a `mermaid` and never asks unpkg.
    stand_in = STAND_IN % json.dumps(library_url)
    return output.replace('<script id="__config"', stand_in + '<script id="__config"', 1)


def on_post_page(output, page, config):
    if 'class="mermaid"' in output:
        _pages_with_diagrams.append(page.file.src_uri)
    return _with_stand_in(output, get_relative_url(LIBRARY, page.url))


def on_post_template(output, template_name, config):
    if template_name != "404.html":  # the only theme page that is not a docs page
        return output
    # 404.html is served at any depth, so it links from the site's root path.
    return _with_stand_in(output, urlsplit(config.site_url or "/").path.rstrip("/") + "/" + LIBRARY)


def on_post_build(config):
    if not _pages_with_diagrams:
        return
    source = os.path.join(os.path.dirname(config.config_file_path), NPM_FILE)
    if not os.path.isfile(source):
        raise PluginError(
            f"{NPM_FILE} is missing, but these pages draw Mermaid diagrams: "
            f"{', '.join(_pages_with_diagrams)}; run `npm ci` (package.json lists mermaid)"
        )
    target = os.path.join(config.site_dir, LIBRARY)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(source, target)
