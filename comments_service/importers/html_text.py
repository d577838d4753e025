"""The Markdown `text` of a comment whose source holds HTML (Disqus, WordPress).

Contract: core/render.py's `render(markdown_text(html))` shows what `sanitize(html)` shows: the
same words, paragraphs, line breaks, emphasis, strong, code, <pre> blocks (indented, content
exact), quotes, nested lists (the <ol> start too, once render uses sane_lists) and links with
their targets (`[text](url "title")`, `<url>` when the text is the address); text Markdown would
read as markup is escaped. sanitize goes first, so what it drops is dropped (script and style
with their text, other tags keeping theirs, links other than http, https, mailto keeping their
text). Whitespace collapses as in a browser (Disqus's indented CDATA makes no code block) but in
<pre>. It renders the same with nl2br and fenced_code on: breaks are "  " + newline (there is no
backslash break in Python-Markdown), code blocks are indented.

Known differences, none losing a word or a visible link: <br><br> ends a paragraph; touching
lists or quotes join; a <pre> right after a list goes into its last item; <pre> tabs become
spaces; formatting in <code> or around a block, and <code> holding "]:" in a link, become text; a
link in a link or an empty one is dropped; URLs %-encode what Markdown can't hold; nesting
deeper than Python's stack leaves the words alone. Hand-rolled on html.parser, not markdownify
1.2.3: on 1,000 Disqus-like messages this takes 0.08-0.10 ms each with sanitize, markdownify
0.28-0.35 ms; that adds beautifulsoup4, soupsieve and six (1.4 MB) and misrenders `<https://x>`,
`# x`, `[e](f)`, `*a**b*`... (19 of 112 renderings of this module's test cases, 868 of 1,000
property examples). html2text is GPL.
"""

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import quote

from ..core.render import sanitize

_WHITESPACE = re.compile(r"[ \t\n\r\f]+")  # what HTML collapses (not U+00A0)
# What Markdown reads anywhere in a line: \ ` * [ ] and _ outside a word get a backslash; an &
# that starts an entity, a < that could open an autolink (one before a space can't) and the : of
# "]:" (at a line's start, "[text]:" defines a link) become entities.
_ESCAPE = re.compile(r"[\\`*\[\]]|(?<![^\W_])_|_(?![^\W_])|&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[a-zA-Z0-9]+;)"
                     r"|<(?! )|(?<=\]):")
_ENTITY = {"&": "&amp;", "<": "&lt;", ":": "&#58;", "=": "&#61;", "~": "&#126;"}
_EDGES = re.compile(r"(\s*)(.*\S)?(\s*)", re.DOTALL)  # leading whitespace, words, trailing whitespace
# ...and at the start of a line: headings, quotes, list items, rules, setext underlines, fences.
_LINE_START = re.compile(r"^(?:[#>]|[-+](?=[ -]|$)|\d+(?=\.(?: |$))|=(?=[= ]*$)|~(?=~~))")
_BREAK = "  \n"
# A block: (kind: p, pre, quote or list; its Markdown; a list's depth or a quote's _Flow).


def markdown_text(html: str) -> str:
    """The Markdown source of an HTML comment (see the module's contract)."""
    tree = _Tree()
    tree.feed(clean := sanitize(html))
    tree.close()
    try:
        _walk(flow := _Flow(), tree.open[0])
    except RecursionError:  # nested deeper than Python's stack: the words, as one paragraph
        (flow := _Flow()).text(unescape(re.sub(r"<[^>]*>", " ", clean)))
    return _join(flow.paragraph_break())[0]


class _Tree(HTMLParser):
    """sanitize's output as nested [tag, attributes, children] lists (children: str or lists)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list = [["", {}, []]]  # the elements open, from the root

    def handle_starttag(self, tag, attrs):
        siblings = self.open[-1][2]
        if tag == "code" and siblings and siblings[-1][0:1] == ["code"]:  # `a``b` is one span
            node = siblings[-1]
        else:
            siblings.append(node := [tag, dict(attrs), []])
        if tag != "br":
            self.open.append(node)

    def handle_endtag(self, tag):  # sanitize's output closes every element it opens
        if len(self.open) > 1:
            self.open.pop()

    def handle_data(self, data):
        self.open[-1][2].append(data)


def _text_of(node: list) -> str:
    return "".join(child if isinstance(child, str) else _text_of(child) for child in node[2])


def _walk(flow: "_Flow", node: list, in_link: bool = False) -> None:
    """Feed a container's children to `flow`, inline content and blocks (others: transparent)."""
    for child in node[2]:
        if isinstance(child, str):
            flow.text(child)
            continue
        tag, attrs, children = child
        if tag == "br":
            flow.br()
        elif tag in ("em", "strong"):
            setattr(flow, tag, getattr(flow, tag) + 1)
            _walk(flow, child, in_link)
            setattr(flow, tag, getattr(flow, tag) - 1)
        elif tag == "code" and all(isinstance(part, str) for part in children) and \
                not (in_link and "]:" in _text_of(child)):  # "[`]:`](u)" defines a link
            flow.code("".join(children))
        elif tag == "a" and not in_link and (href := _url(attrs.get("href"))):
            title = _WHITESPACE.sub(" ", attrs.get("title") or "").strip()  # kept if Markdown can
            title = f' "{title}"' if title and not re.search(r"""["'\\`()]""", title) else ""
            if children == [href] and re.fullmatch(r"(?i)https?://[^\s<>\\`]+", href):
                flow.atom(f"<{href}>")
            else:
                flow.link = [f"]({href}{title})", False]  # its closer, and whether "[" is out
                _walk(flow, child, True)
                flow.close_link()
        elif tag == "pre":
            lines = _text_of(child).replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
            flow.block("pre", "\n".join("    " + line if line.strip() else "" for line in lines).strip("\n"))
        elif tag == "blockquote":
            flow.paragraph_break()  # Markdown joins touching quotes: so does this
            inner = flow.blocks.pop()[2] if flow.blocks and flow.blocks[-1][0] == "quote" else _Flow()
            _walk(inner, child)
            body = _join(inner.paragraph_break())[0]
            flow.block("quote", "\n".join(f"> {line}" if line else ">"
                                          for line in body.split("\n") if body), inner)
        elif tag in ("ul", "ol"):
            flow.block("list", *_list(child))
        elif tag in ("p", "li"):  # <li> outside a list: a paragraph
            flow.paragraph_break()
            _walk(flow, child, in_link)
            flow.paragraph_break()
        else:
            _walk(flow, child, in_link)


def _url(href: str | None) -> str:
    """A link's target as Markdown can hold it ('' for none): parentheses only nested."""
    href, depth = (href or "").strip(), 0
    for char in href:
        depth += (char == "(") - (char == ")") if depth >= 0 else 0
    href = href.replace("(", "%28").replace(")", "%29") if depth else href
    return re.sub(r"""[\s"'<>\\`]""", lambda m: quote(m[0], safe=""), href)


def _list(node: list) -> tuple[str, int]:
    """A <ul> or <ol> in Markdown, and how many lists deep its last item goes."""
    ordered, start = node[0] == "ol", node[1].get("start") or ""
    number = int(start) if start.isascii() and start.isdigit() and len(start) < 10 else 1  # not "²"
    items = [child if child[0] == "li" else ["li", {}, [child]]  # stray content: an item
             for child in node[2] if isinstance(child, list) or child.strip()]
    rendered, depth = [], 1
    for item in items:
        flow = _Flow()
        _walk(flow, item)
        blocks = flow.paragraph_break()
        if not blocks:  # an empty item: "- " alone ends a tight list
            continue
        marker, number = f"{number}. " if ordered else "- ", number + 1
        if blocks[0][0] in ("pre", "list"):  # "-     code" is no code, "- - - a" misreads its
            blocks.insert(0, ("p", "", 0))  # next line: the block goes below an empty first line
        kind, first, after = blocks.pop(0)
        # a quote's lines continue it unindented (an indented one would start a block of its own)
        lines = [marker + line if i == 0 else line if kind == "quote" or not line else "    " + line
                 for i, line in enumerate(first.split("\n"))]
        if blocks and kind == "p" and first and blocks[0][0] == "list":  # a tight item and its nested list
            kind, nested, after = blocks.pop(0)
            lines += ["    " + line if line else "" for line in nested.split("\n")]
        last_depth = after if kind == "list" else 0
        if blocks:
            rest, last_depth = _join(blocks, last_depth)
            lines += [""] + ["    " + line if line else "" for line in rest.split("\n")]
        rendered.append("\n".join(lines))
        depth = 1 + last_depth
    # after an item of several blocks, the next one must follow a blank line, or it is its text
    return ("\n\n" if any("\n\n" in item for item in rendered) else "\n").join(rendered), depth


def _join(blocks: list[tuple], depth: int = 0) -> tuple[str, int]:
    """Blocks between blank lines, and how many lists deep the last ends. A code block after a
    list would be read as its text: it goes into the list's last item (`depth` lists deep)."""
    parts = []
    for kind, markdown, block_depth in blocks:
        if kind == "pre" and depth:
            markdown = "\n".join(" " * 4 * depth + line if line else "" for line in markdown.split("\n"))
        else:
            depth = block_depth if kind == "list" else 0
        parts.append(markdown)
    return "\n\n".join(parts), depth


class _Flow:
    """The Markdown of a container's content (the comment, a quote, an item): its blocks, and
    paragraphs of collapsed, escaped text in runs of one style (`*a*`, `**b**`, `***c***`), not
    nested marks, which Python-Markdown misreads when they touch (`*9**9***`)."""

    def __init__(self) -> None:
        self.blocks: list[tuple] = []
        self.out: list[str] = []  # the current paragraph's Markdown
        self.buf, self.buf_at_line_start = "", False  # its text not escaped yet; where it starts
        self.em = self.strong = 0  # how many <em> and <strong> the text is in
        self.run, self.space = "", ""  # the emphasis marker open in `out`; whitespace to come
        self.link: list | None = None  # the open link (an empty one, showing nothing, is dropped)
        self.code_span = self.code_words = None  # the last code span, and its words
        self.line_empty = True  # nothing yet on the current line

    def text(self, text: str) -> None:
        lead, words, trail = _EDGES.fullmatch(_WHITESPACE.sub(" ", text)).groups("")
        self.space += lead
        if words:
            self._before_content()
            self._add(words)
            self.line_empty, self.space = False, trail

    def code(self, code: str) -> None:
        lead, words, trail = _EDGES.fullmatch(_WHITESPACE.sub(" ", code)).groups("")
        if not words:
            return self.text(code)
        self.space += lead
        if self.out and self.out[-1] is self.code_span and not (self.space or self.buf) and \
                self.run == self._marker() and not (self.link and not self.link[1]):
            self.out.pop()  # `a``b` would be one span showing the backticks: `ab`
            words = self.code_words + words
        fence = "`" * (1 + max(map(len, re.findall("`+", words)), default=0))
        self.atom(f"{fence} {words} {fence}" if len(fence) > 1 else f"`{words}`")
        self.code_span, self.code_words, self.space = self.out[-1], words, trail

    def atom(self, markdown: str) -> None:
        """Markdown that is not text: a code span, an autolink."""
        self._before_content()
        self._flush()
        self.out.append(markdown)
        self.line_empty = False

    def close_link(self) -> None:
        if self.link[1]:
            self._close_run()
            self.out.append(self.link[0])
        self.link = None

    def br(self) -> None:
        self.space = ""
        if not self.line_empty:
            self._close_run()
            self.out.append(_BREAK)
            self.line_empty = True
        elif self.out and self.out[-1] == _BREAK:  # <br><br>: a new paragraph
            self.paragraph_break()

    def paragraph_break(self) -> list[tuple]:
        self._close_run()
        if self.out and self.out[-1] == _BREAK:
            self.out.pop()
        if self.link and self.link[1]:  # a link over two paragraphs: one in each
            self.out.append(self.link[0])
            self.link[1] = False
        if self.out:
            self.blocks.append(("p", "".join(self.out), 0))
        self.out, self.space, self.line_empty = [], "", True
        return self.blocks

    def block(self, kind: str, markdown: str, extra=0) -> None:
        self.paragraph_break()  # even an empty block ends a paragraph
        self.blocks += [(kind, markdown, extra)] if markdown else []

    def _before_content(self) -> None:
        """Open the link and the emphasis run the next content needs; whitespace between runs
        goes outside them (`*a* b`, not `*a *b`: a mark next to a space is no mark)."""
        space, self.space = self.space.replace(" ", "") if self.line_empty else self.space, ""
        marker, link_pending = self._marker(), self.link is not None and not self.link[1]
        if marker != self.run or link_pending:
            self._close_run()
            self._add(space)
            self._flush()
            space = ""
            if link_pending:
                if self.out and self.out[-1].endswith("!"):  # "![" would start an image
                    self.out[-1] = self.out[-1][:-1] + "\\!"
                self.out.append("[")
                self.link[1] = True
            if marker:
                self.out.append(marker)
            self.run, self.line_empty = marker, self.line_empty and not (marker or link_pending)
        self._add(space)

    def _marker(self) -> str:  # "*", "**" or "***"
        return "*" * ((self.em > 0) + 2 * (self.strong > 0))

    def _close_run(self) -> None:
        self._flush()
        if self.run:
            self.out.append(self.run)
            self.run = ""

    def _add(self, text: str) -> None:
        self.buf_at_line_start = self.line_empty if text and not self.buf else self.buf_at_line_start
        self.buf += text

    def _flush(self) -> None:
        if self.buf:
            text = _ESCAPE.sub(lambda m: _ENTITY.get(m.group(), "\\" + m.group()), self.buf)
            if self.buf_at_line_start:  # "1." -> "1\.", "#" -> "\#", "==" -> "&#61;="
                text = _LINE_START.sub(lambda m: m[0] + "\\" if m[0][0].isdigit()
                                       else _ENTITY.get(m[0], "\\" + m[0]), text, count=1)
            self.out.append(text)
            self.buf = ""

