"""The references section (`section.py`): entries, their order, labels and back-links, rendered."""

from plugins.references.section import citation_letter

from .html_text import read_page
from .rendering import SEED_LIKE, backlink_targets, entries, markers, render, tree


def test_references_section_reads_like_the_seed():
    html = render(SEED_LIKE)
    section = tree(html).find("section")
    assert section.attrib == {"class": "references", "role": "doc-endnotes",
                              "aria-labelledby": "seed-references-title"}
    assert section.find("h2").attrib == {"id": "seed-references-title"}
    (entry,) = entries(tree(html))
    assert entry.get("id") == "seed-ref-1"
    assert entry.find("span").attrib == {"class": "ref-label"}
    url = "https://www.politico.com/x-00452001"
    assert entry.find("a").attrib == {"href": url}
    assert read_page(html).lines()[-2:] == ["References:", f"[1] {url}"]


def test_numbering_follows_first_citation_not_definition_order():
    html = render("Title: T\n\nB [^b], A [^a], B again [^b], C [^c].\n\n"
                  "[^a]: Alpha\n[^b]: Beta\n[^c]: Gamma\n")
    root = tree(html)
    assert [a.text for a in markers(root)] == ["[1]", "[2]", "[1]", "[3]"]
    assert ["".join(li.itertext()).strip() for li in entries(root)] == [
        "[1] Beta", "[2] Alpha", "[3] Gamma"]


def test_every_citation_has_its_own_backlink():
    html = render("Title: T\n\nOne [^k], two [^k], three [^k].\n\n[^k]: Source\n")
    root = tree(html)
    assert [a.get("id") for a in markers(root)] == ["t-cite-1-1", "t-cite-1-2", "t-cite-1-3"]
    (entry,) = entries(root)
    assert backlink_targets(entry) == ["#t-cite-1-1", "#t-cite-1-2", "#t-cite-1-3"]
    backlinks = [a for a in entry.iter("a") if a.get("role") == "doc-backlink"]
    assert all(a.text is None and a.get("class") == "backlink" for a in backlinks)
    assert [a.get("data-letter") for a in backlinks] == ["a", "b", "c"]
    assert backlinks[1].get("aria-label") == "Back to citation 2 of 3 of reference 1"
    assert entry.find("span[@class='backlinks lettered']") is not None


def test_a_source_cited_once_keeps_one_unlettered_backlink():
    html = render("Title: T\n\nOnce [^k].\n\n[^k]: Source\n")
    (entry,) = entries(tree(html))
    (backlink,) = [a for a in entry.iter("a") if a.get("role") == "doc-backlink"]
    assert backlink.attrib == {"href": "#t-cite-1-1", "role": "doc-backlink", "class": "backlink",
                               "aria-label": "Back to the citation of reference 1"}
    assert entry.find("span[@class='backlinks']") is not None


def test_letters_run_a_to_z_then_aa_ab():
    assert [citation_letter(n) for n in (1, 2, 26, 27, 28, 52, 53, 702, 703)] == [
        "a", "b", "z", "aa", "ab", "az", "ba", "zz", "aaa"]
    html = render("Title: T\n\n" + " ".join(["Claim [^k]."] * 28) + "\n\n[^k]: Source\n")
    letters = [a.get("data-letter") for a in entries(tree(html))[0].iter("a") if a.get("data-letter")]
    assert letters[-3:] == ["z", "aa", "ab"] and len(set(letters)) == 28


def test_lettered_backlinks_add_no_text_to_the_entry():
    html = render("Title: T\n\nOne [^k], two [^k].\n\n[^k]: Source\n")
    assert read_page(html).lines()[-1] == "[1] Source"


def test_urls_already_linked_or_in_code_stay_as_they_are():
    html = render("Title: T\n\nX [^1].\n\n[^1]: [site](https://a.example/) `https://b.example/`\n")
    (entry,) = entries(tree(html))
    assert [a.get("href") for a in entry.iter("a") if a.get("role") is None] == ["https://a.example/"]
    assert entry.find("code").text == "https://b.example/"


def test_bare_urls_in_the_body_are_left_alone():
    html = render("Title: T\n\nhttps://body.example/ X [^1].\n\n[^1]: S\n")
    assert 'href="https://body.example/"' not in html


def test_multi_paragraph_definition_keeps_its_paragraphs():
    html = render("Title: T\n\nX [^1].\n\n[^1]: First part.\n\n    Second part.\n")
    (entry,) = entries(tree(html))
    first, second = entry.findall("p")
    assert "".join(first.itertext()) == "[1] First part."
    assert second.find("span").get("class") == "backlinks"


def test_entry_ending_in_a_list_gets_its_backlinks_after_the_list():
    html = render("Title: T\n\nX [^1].\n\n[^1]: Two sources:\n\n    - one\n    - two\n")
    (entry,) = entries(tree(html))
    assert [child.tag for child in entry] == ["p", "ul", "span"]
    assert entry[0].find("span").attrib == {"class": "ref-label"}
    assert entry[-1].get("class") == "backlinks"
    assert backlink_targets(entry) == ["#t-cite-1-1"]
