"""Test helpers: render Markdown with the references extension and find its parts in the output."""

import xml.etree.ElementTree as etree

import markdown

EXTENSIONS = ["markdown.extensions.extra", "markdown.extensions.meta", "plugins.references.extension"]

SEED_LIKE = """Title: Seed
Slug: seed

Allies buy weapons [1].

[^1]: https://www.politico.com/x-00452001
""".replace("[1]", "[^1]")


def render(text: str) -> str:
    return markdown.Markdown(extensions=EXTENSIONS, output_format="html5").convert(text)


def tree(html: str) -> etree.Element:
    return etree.fromstring(f"<root>{html}</root>")


def markers(root: etree.Element) -> list[etree.Element]:
    return [sup.find("a") for sup in root.iter("sup") if sup.get("class") == "ref"]


def entries(root: etree.Element) -> list[etree.Element]:
    return root.findall("./section[@class='references']/ol[@class='reference-list']/li")


def backlink_targets(entry: etree.Element) -> list[str]:
    return [a.get("href") for a in entry.iter("a") if a.get("role") == "doc-backlink"]
