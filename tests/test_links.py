"""Internal link checker: every link in the built site resolves to a file in the output.

Every href, src, srcset and form action in every HTML page is checked, and
so are absolute links under the site's base_url (canonical, feeds, sitemap).
A site-relative link must start with the base path, so the site works when
it is hosted under a prefix such as https://intranet.example.gov.au/ai-digest/.
A link to a folder resolves to its index.html; a #fragment must name an id
on the target page.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import build
from htmlquery import read_html

URL_ATTRS = {"href": ("a", "link", "area", "base"), "src": ("img", "script", "source", "iframe", "audio", "video",
                                                            "track", "embed", "input"),
             "action": ("form",), "poster": ("video",), "data": ("object",)}


def links_in_page(path: Path) -> list[tuple[str, str]]:
    """(element description, URL) for every URL-bearing attribute in one page."""
    doc = read_html(path)
    found = []
    for node in doc.iter():
        for attr, tags in URL_ATTRS.items():
            if node.tag in tags and node.get(attr) is not None:
                found.append((f"<{node.tag} {attr}> line {node.line}", node.get(attr)))
        for attr in ("srcset", "imagesrcset"):
            if node.get(attr):
                for candidate in node.get(attr).split(","):
                    url = candidate.strip().split()[0] if candidate.strip() else ""
                    found.append((f"<{node.tag} {attr}> line {node.line}", url))
        if node.tag == "meta" and node.get("property") == "og:url":
            found.append((f"<meta og:url> line {node.line}", node.get("content")))
    return found


def ids_in(path: Path, cache: dict) -> set[str]:
    if path not in cache:
        cache[path] = {n.get("id") for n in read_html(path).iter() if n.get("id")} if path.suffix == ".html" else set()
    return cache[path]


def check_links(site: Path, base_url: str, *, xml: bool = False) -> tuple[int, list[str]]:
    """Returns (links checked, problems)."""
    base_path = urlsplit(base_url).path or "/"
    problems: list[str] = []
    checked = 0
    id_cache: dict = {}

    def resolve(where: str, page: Path, url: str) -> None:
        nonlocal checked
        if url.startswith(base_url):
            url = base_path + url[len(base_url):]
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "mailto"):
            return  # another site: not ours to check (and never loaded, see test_no_outside_requests)
        checked += 1
        if parts.scheme or parts.netloc:
            problems.append(f"{page}: {where}: unexpected link {url!r}")
            return
        if not parts.path:  # "#fragment" or "?query" on this page
            target = page
        elif not parts.path.startswith(base_path):
            problems.append(f"{page}: {where}: {url!r} does not start with the base path {base_path!r}")
            return
        else:
            rel = unquote(parts.path[len(base_path):])
            target = site / rel
            if rel == "" or rel.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{page}: {where}: {url!r} -> {target.relative_to(site)} does not exist")
                return
        if parts.fragment and parts.fragment not in ids_in(target, id_cache):
            problems.append(f"{page}: {where}: {url!r}: no id {parts.fragment!r} in {target.relative_to(site)}")

    pages = sorted(site.rglob("*.html"))
    assert pages, f"no pages in {site}"
    for page in pages if not xml else []:
        for where, url in links_in_page(page):
            resolve(where, page, url)
    for xml_file in sorted(site.rglob("*.xml")) if xml else []:
        for el in ET.parse(xml_file).iter():
            for value in [el.get("href"), el.text if el.tag.endswith(("}loc", "}id")) else None]:
                if value and value.strip().startswith(base_url):
                    resolve(f"<{el.tag.split('}')[-1]}>", xml_file, value.strip())
    return checked, problems


def test_every_internal_link_of_the_sample_site_resolves(sample_site):
    checked, problems = check_links(sample_site, "https://intranet.example.gov.au/ai-digest/")
    assert not problems, f"{len(problems)} broken links:\n" + "\n".join(problems[:30])
    assert checked > 1000  # the checker really walked the site


def test_every_site_link_in_feeds_and_sitemap_resolves(sample_site):
    checked, problems = check_links(sample_site, "https://intranet.example.gov.au/ai-digest/", xml=True)
    assert not problems, f"{len(problems)} broken links:\n" + "\n".join(problems[:30])
    assert checked > 100


def test_sitemap_links_resolve(sample_site):
    base_url = "https://intranet.example.gov.au/ai-digest/"
    locs = [el.text for el in ET.parse(sample_site / "sitemap.xml").iter() if el.tag.endswith("}loc")]
    assert len(locs) > 50
    for loc in locs:
        assert loc.startswith(base_url), loc
        rel = loc[len(base_url):]
        assert (sample_site / rel / "index.html").is_file() or (sample_site / rel).is_file(), loc


def test_sample_site_links_all_carry_the_path_prefix(sample_site):
    """Nothing links to the server root: every site-relative URL starts with /ai-digest/."""
    bad = []
    for page in sorted(sample_site.rglob("*.html")):
        for where, url in links_in_page(page):
            if url.startswith("/") and not url.startswith("/ai-digest/"):
                bad.append(f"{page.relative_to(sample_site)}: {where}: {url}")
            elif not urlsplit(url).scheme and not url.startswith(("/", "#")):
                bad.append(f"{page.relative_to(sample_site)}: {where}: relative link {url}")
    assert not bad, "\n".join(bad[:30])


@pytest.mark.parametrize("base_url", ["https://intranet.example.gov.au/", "https://intranet.example.gov.au/team/ai-digest/"])
def test_links_resolve_under_another_base_url(sample_root, tmp_path, base_url):
    out = tmp_path / "site"
    build(sample_root, out, base_url=base_url)
    checked, problems = check_links(out, base_url)
    assert not problems, f"{len(problems)} broken links:\n" + "\n".join(problems[:30])
    assert checked > 1000
    home = (out / "index.html").read_text(encoding="utf-8")
    prefix = urlsplit(base_url).path
    assert f'href="{prefix}briefs/"' in home


def test_root_relative_links_in_content_are_put_under_the_base_path(project):
    from conftest import brief_text

    root = project({
        "content/briefs/a.md": brief_text("A", body="See [the other brief](/briefs/b/) and ![chart](/assets/favicon.svg)."),
        "content/briefs/b.md": brief_text("B"),
    })
    build(root)
    doc = read_html(root / "site/briefs/a/index.html")
    assert doc.find("a", text="the other brief").get("href") == "/digest/briefs/b/"
    assert doc.find("img", alt="chart").get("src") == "/digest/assets/favicon.svg"
    _, problems = check_links(root / "site", "https://intranet.example.gov.au/digest/")
    assert not problems, problems


def test_the_checker_finds_a_broken_link(project):
    """The checker itself can fail: a link to a brief that does not exist is reported."""
    from conftest import brief_text

    root = project({"content/briefs/a.md": brief_text("A", body="See [gone](/briefs/gone/#top).")})
    build(root)
    _, problems = check_links(root / "site", "https://intranet.example.gov.au/digest/")
    assert [p for p in problems if "briefs/gone/index.html does not exist" in p]


def test_no_page_loads_anything_from_another_origin(sample_site):
    """Scripts, styles, images and fonts are all local: only <a href> may point elsewhere."""
    outside = []
    for page in sorted(sample_site.rglob("*.html")):
        for where, url in links_in_page(page):
            if where.startswith("<a "):
                continue
            if re.match(r"^([a-z][a-z0-9+.-]*:|//)", url, re.I) and not url.startswith("data:"):
                if not url.startswith("https://intranet.example.gov.au/ai-digest/"):
                    outside.append(f"{page.relative_to(sample_site)}: {where}: {url}")
    assert not outside, "\n".join(outside[:30])
