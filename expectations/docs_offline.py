"""Data Docs that render without a network.

GX 1.24's page templates load Bootstrap, jQuery, Popper, bootstrap-table,
bootstrap-datepicker, Font Awesome, a dark-mode stylesheet and Vega from
CDNs, and its navbar takes its logo from an S3 bucket (top_navbar.j2 sets
``static_images_dir`` to that URL after computing the local one, so no site
configuration changes it).  After each build, ``make_offline`` copies the
vendored assets (docs_assets/, see docs_assets/SOURCES.md) into the site's
``static/vendor`` and rewrites every page's asset URLs to relative paths.

What is not vendored is dropped from the pages: Popper (Bootstrap's bundle
carries it), the optional prefers-dark stylesheet, and Vega/Vega-Lite/
Vega-Embed, which only profiling charts use (xxgk's suites render none).
Links to greatexpectations.io stay links: they load nothing.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

ASSETS = Path(__file__).with_name("docs_assets")
VENDOR = Path("static") / "vendor"

# CDN URL (a regular expression) -> vendored file under docs_assets, or None: drop the tag
_URLS = (
    (r"https://maxcdn\.bootstrapcdn\.com/bootstrap/[^\"']*/bootstrap\.min\.css", "bootstrap/bootstrap.min.css"),
    (r"https://stackpath\.bootstrapcdn\.com/bootstrap/[^\"']*/bootstrap\.min\.js", "bootstrap/bootstrap.bundle.min.js"),
    (r"https://code\.jquery\.com/jquery-[\d.]+\.min\.js", "jquery/jquery.min.js"),
    (r"https://cdnjs\.cloudflare\.com/ajax/libs/font-awesome/[^\"']*/all\.min\.css", "fontawesome/css/all.min.css"),
    (r"https://unpkg\.com/bootstrap-table@[^/]+/dist/bootstrap-table\.min\.css", "bootstrap-table/bootstrap-table.min.css"),
    (r"https://unpkg\.com/bootstrap-table@[^/]+/dist/bootstrap-table\.min\.js", "bootstrap-table/bootstrap-table.min.js"),
    (r"https://unpkg\.com/bootstrap-table@[^/]+/dist/extensions/filter-control/bootstrap-table-filter-control(?:\.min)?\.css",
     "bootstrap-table/bootstrap-table-filter-control.min.css"),
    (r"https://unpkg\.com/bootstrap-table@[^/]+/dist/extensions/filter-control/bootstrap-table-filter-control\.min\.js",
     "bootstrap-table/bootstrap-table-filter-control.min.js"),
    (r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/[^\"']*/bootstrap-datepicker\.min\.css",
     "bootstrap-datepicker/bootstrap-datepicker.min.css"),
    (r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/[^\"']*/bootstrap-datepicker\.min\.js",
     "bootstrap-datepicker/bootstrap-datepicker.min.js"),
    (r"https://cdnjs\.cloudflare\.com/ajax/libs/popper\.js/[^\"']*", None),
    (r"https://cdn\.jsdelivr\.net/npm/@forevolve/bootstrap-dark@[^\"']*", None),
    (r"https://cdn\.jsdelivr\.net/npm/vega(?:-lite|-embed)?@[^\"']*", None),
)
_S3 = re.compile(r"https://great-expectations-web-assets\.s3\.[^/]+\.amazonaws\.com/([\w.-]+?)(?:\?[^\"')]*)?(?=[\"')])")
# a tag that loads a URL: <link ... href="URL" ...> or <script ... src="URL" ...></script>
_TAG = re.compile(r"<link\b[^>]*\bhref=[\"'](?P<h>[^\"']+)[\"'][^>]*>|"
                  r"<script\b[^>]*\bsrc=[\"'](?P<s>[^\"']+)[\"'][^>]*>\s*</script>", re.S)


def make_offline(docs_dir: str | os.PathLike) -> int:
    """Vendor the assets into docs_dir and point every page at them.
    Returns the number of pages rewritten."""
    docs = Path(docs_dir)
    if not docs.is_dir():
        return 0
    vendor = docs / VENDOR
    shutil.copytree(ASSETS, vendor, dirs_exist_ok=True)
    styles = docs / "static" / "styles" / "data_docs_default_styles.css"
    if styles.is_file():
        css = styles.read_text(encoding="utf-8")
        fixed = _S3.sub(lambda m: "../images/" + _local_image(m.group(1)), css)
        if fixed != css:
            styles.write_text(fixed, encoding="utf-8")
    rewritten = 0
    for page in docs.rglob("*.html"):
        if vendor in page.parents:
            continue
        html = page.read_text(encoding="utf-8")
        fixed = offline_html(html, os.path.relpath(docs, page.parent))
        if fixed != html:
            page.write_text(fixed, encoding="utf-8")
            rewritten += 1
    return rewritten


def _local_image(name: str) -> str:
    """GX's own images ship in the site's static/images; its dark-mode logo does not."""
    return "logo-long.png" if name == "full_logo_dark.png" else name


def offline_html(html: str, root: str) -> str:
    """One page's asset URLs made relative (root: the site's root relative
    to the page); tags loading an asset not vendored are dropped."""
    root = root.replace(os.sep, "/")
    rules = [(re.compile(p), target) for p, target in _URLS]

    def tag(m: re.Match) -> str:
        url = m.group("h") or m.group("s")
        if not url.startswith(("http://", "https://")):
            return m.group(0)
        if m.group("h") is not None and not re.search(r"rel=[\"']stylesheet", m.group(0)):
            return m.group(0)        # a link that loads nothing (a page link, a preconnect hint)
        for pattern, target in rules:
            if pattern.fullmatch(url):
                if target is None:
                    return ""
                return m.group(0).replace(url, f"{root}/{VENDOR.as_posix()}/{target}")
        return m.group(0)

    html = _TAG.sub(tag, html)
    return _S3.sub(lambda m: f"{root}/static/images/{_local_image(m.group(1))}", html)


def asset_urls(html: str) -> list[str]:
    """The http(s) URLs a page loads (stylesheets, scripts, images, CSS
    url()s): what a page without network could not show."""
    urls = re.findall(r"<(?:script|img|source|iframe)\b[^>]*\bsrc=[\"'](https?://[^\"']+)", html, re.S)
    urls += [m.group(1) for m in re.finditer(r"<link\b[^>]*\bhref=[\"'](https?://[^\"']+)[\"'][^>]*>", html, re.S)
             if re.search(r"rel=[\"'](?:stylesheet|icon|preload|modulepreload)", m.group(0))]
    urls += re.findall(r"url\(\s*[\"']?(https?://[^\"')]+)", html)
    urls += re.findall(r"@import\s+[\"'](https?://[^\"']+)", html)
    return urls
