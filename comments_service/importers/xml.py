"""The XML reader that the Disqus and WordPress readers share: defused and streamed.

Contract: `records(path, kind, root, tags, on_read)` feeds the file to defusedxml in chunks of
READ_SIZE bytes, telling `on_read(n)` after each, and yields every element whose tag is in `tags`
as a small tree, with the line it starts on, as soon as its chunk is parsed. Anything outside
those records is never built, so a large export is read in constant memory. A file that is not
well-formed XML, has a document type declaration (a DTD can declare entities or load external
ones: no export needs one), or whose root element is not `root`, raises SourceRejected naming
the file (and the line when the parser knows it).
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from .common import SourceRejected

READ_SIZE = 1 << 16  # bytes fed to the XML parser at a time (and per progress step)


class RecordReader:
    """ElementTree parser target that builds only the `records` elements, each as a small tree
    handed to `on_record(element, line)` with the line it starts on: a large export is read in
    constant memory and messages can name lines. The root element must be `root`."""

    def __init__(self, kind: str, root: str, records: set[str],
                 on_record: Callable[[Element, int], None]):
        self._kind, self._root, self._records, self._on_record = kind, root, records, on_record
        self._builder: TreeBuilder | None = None
        self._open = 0  # elements open inside the current record
        self._record_line = 0
        self._seen_root = False
        self.line: Callable[[], int] = lambda: 0  # the parser's current line, set by records()

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if not self._seen_root:
            self._seen_root = True
            if tag != self._root:
                raise SourceRejected(f"this is not {self._kind}: its root element is {tag}, "
                                     f"not {self._root}")
        if self._builder is None:
            if tag not in self._records:
                return
            self._builder, self._record_line = TreeBuilder(), self.line()
        self._builder.start(tag, attrib)
        self._open += 1

    def data(self, text: str) -> None:
        if self._builder is not None:
            self._builder.data(text)

    def end(self, tag: str) -> None:
        if self._builder is None:
            return
        self._builder.end(tag)
        self._open -= 1
        if self._open == 0:
            record, self._builder = self._builder.close(), None
            self._on_record(record, self._record_line)

    def close(self) -> None:
        return None


def records(path: Path, kind: str, root: str, tags: set[str],
            on_read: Callable[[int], None]) -> Iterator[tuple[Element, int]]:
    """Every `tags` element of `path` with its line, streamed (see the module's contract)."""
    ready: list[tuple[Element, int]] = []
    reader = RecordReader(kind, root, tags, lambda element, line: ready.append((element, line)))
    parser = DefusedXMLParser(target=reader, forbid_dtd=True)
    reader.line = lambda: parser.parser.CurrentLineNumber  # expat's position
    try:
        with path.open("rb") as file:
            while chunk := file.read(READ_SIZE):
                parser.feed(chunk)
                on_read(len(chunk))
                yield from ready
                ready.clear()
        parser.close()
    except ParseError as problem:
        raise SourceRejected(f"{path.name} is not complete, well-formed XML: {problem}") from None
    except DefusedXmlException as problem:
        raise SourceRejected(f"{path.name}, line {reader.line()}: refused {problem} (document "
                             "type declarations, entities and external references are not "
                             "accepted)") from None
    except SourceRejected as problem:
        raise SourceRejected(f"{path.name}: {problem}") from None
    yield from ready


def text_of(element: Element, path: str) -> str:
    """The stripped text of the first element at `path` below `element`; "" when there is none."""
    return (element.findtext(path) or "").strip()
