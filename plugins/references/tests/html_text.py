"""Test helpers: read built HTML the way a reader sees it (text lines, ids, links)."""

from html.parser import HTMLParser

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "div", "dd", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "title", "tr", "ul",
})
HIDDEN_TAGS = frozenset({"script", "style", "template"})


class PageReader(HTMLParser):
    """Collects the visible text as lines, every element's attributes, and meta tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag in HIDDEN_TAGS:
            self.hidden += 1
        if tag in BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS:
            self.hidden -= 1
        if tag in BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.chunks.append(data)

    def lines(self) -> list[str]:
        """Visible text, one line per block, whitespace collapsed."""
        text = "".join(self.chunks)
        return [" ".join(line.split()) for line in text.splitlines() if line.strip()]

    def ids(self) -> list[str]:
        return [attrs["id"] for _, attrs in self.elements if "id" in attrs]

    def with_attr(self, name: str, value: str) -> list[dict[str, str]]:
        """Attributes of every element whose `name` attribute contains the word `value`."""
        return [attrs for _, attrs in self.elements if value in attrs.get(name, "").split()]


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


def seed_article_lines(seed_text: str) -> list[str]:
    """The seed's article lines (title, paragraphs, references), without the Comments block."""
    lines = [" ".join(line.split()) for line in seed_text.splitlines()]
    if "Comments" in lines:
        lines = lines[:lines.index("Comments")]
    return [line for line in lines if line]


def find_run(needles: list[str], haystack: list[str]) -> int:
    """Index where `needles` appear in `haystack` as consecutive lines, or -1."""
    width = len(needles)
    return next((start for start in range(len(haystack) - width + 1)
                 if haystack[start:start + width] == needles), -1)
