"""Every build error of the authors plugin, through `make html` as an editor runs it: the last
line printed is `content/<file>:<line>: message`, the build fails, no traceback."""

import os

import pytest

from plugins.build_errors.tests.make_html import last_line, make_html

ARTICLE = "Title: Harbour reopens\nDate: 2025-07-16 08:00\nAuthors: Jane Doe, John Roe\n\nText.\n"
PNG = (os.path.dirname(__file__), "content", "authors", "jane-doe.png")


def png() -> bytes:
    with open(os.path.join(*PNG), "rb") as image:
        return image.read()


def author_file(*header: str, bio: str = "A reporter.") -> str:
    return "\n".join(header) + "\n\n" + bio + "\n"


def failed(result) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stdout, result.stdout
    return last_line(result)


PHOTO_OUTSIDE = ('must be a path inside content/, written from there, e.g. Photo: authors/jane-doe.jpg '
                 '(no leading /, no ..).')


@pytest.mark.parametrize("value", ["../secret.png", "authors/../../secret.png", "/etc/hostname",
                                   "C:/photos/jane.png", "authors\\jane.png"])
def test_a_photo_outside_content_is_an_error(tmp_path, value):
    (tmp_path / "secret.png").write_bytes(png())
    result = make_html(tmp_path, {"harbour.md": ARTICLE,
                                  "authors/jane-doe.md": author_file("Name: Jane Doe", f"Photo: {value}")})
    assert failed(result) == f'content/authors/jane-doe.md:2: Photo "{value}" {PHOTO_OUTSIDE}'


def test_a_photo_linked_from_outside_content_is_an_error(tmp_path):
    (tmp_path / "secret.png").write_bytes(png())
    (tmp_path / "content" / "authors").mkdir(parents=True)
    os.symlink(tmp_path / "secret.png", tmp_path / "content" / "authors" / "jane.png")
    result = make_html(tmp_path, {"harbour.md": ARTICLE, "authors/jane-doe.md": author_file(
        "Name: Jane Doe", "Role: Reporter", "Photo: authors/jane.png")})
    assert failed(result) == ('content/authors/jane-doe.md:3: Photo "authors/jane.png" leads outside '
                              'content/ (a link?): put the image file itself inside content/.')


def test_a_missing_photo_is_an_error(tmp_path):
    result = make_html(tmp_path, {"harbour.md": ARTICLE, "authors/jane-doe.md": author_file(
        "Name: Jane Doe", "Photo: authors/jane.jpg")})
    assert failed(result) == ('content/authors/jane-doe.md:2: Photo "authors/jane.jpg" is not a file: '
                              'no content/authors/jane.jpg. Check the spelling, or add the image there.')


def test_a_photo_that_is_not_an_image_is_an_error(tmp_path):
    result = make_html(tmp_path, {"harbour.md": ARTICLE, "authors/jane.jpg": "not a picture\n",
                                  "authors/jane-doe.md": author_file("Name: Jane Doe", "Photo: authors/jane.jpg")})
    assert failed(result) == ('content/authors/jane-doe.md:2: Photo "authors/jane.jpg" is not an image the '
                              'build can read: use a JPEG, PNG, WebP or GIF file.')


@pytest.mark.parametrize("header, line", [(("Role: Reporter",), 1), (("Role: Reporter", "Name:"), 2),
                                          (("Name: <em></em>",), 1)])
def test_an_author_file_without_a_name_is_an_error(tmp_path, header, line):
    result = make_html(tmp_path, {"harbour.md": ARTICLE, "authors/jane-doe.md": author_file(*header)})
    assert failed(result) == (f"content/authors/jane-doe.md:{line}: author file without a name: start it "
                              "with Name: and the name as bylines show it, e.g. Name: Jane Doe")


def test_a_name_given_twice_is_an_error(tmp_path):
    result = make_html(tmp_path, {"harbour.md": ARTICLE, "authors/jane-doe.md": author_file(
        "Name: Jane Doe", "Role: Reporter", "Name: Jane Roe")})
    assert failed(result) == ("content/authors/jane-doe.md:3: Name is given 2 times: "
                              "keep one Name: line.")


@pytest.mark.parametrize("second", ["authors/jdoe.md", "authors/zz/jane-doe.md"])
def test_two_files_for_one_author_is_an_error_naming_both(tmp_path, second):
    """By Name (jdoe.md says Jane Doe) or by file name (another jane-doe.md, whatever its Name)."""
    name = "Jane Doe" if second == "authors/jdoe.md" else "J. Doe"
    result = make_html(tmp_path, {"harbour.md": ARTICLE,
                                  "authors/jane-doe.md": author_file("Name: Jane Doe"),
                                  second: author_file("Role: Reporter", f"Name: {name}")})
    assert failed(result) == (f'content/{second}:2: a second author file for "{name}": '
                              "content/authors/jane-doe.md already describes this author (slug jane-doe); "
                              "keep one of the two files.")


@pytest.mark.parametrize("links, bad, line", [
    (("Links: https://a.example/, javascript:alert(1)",), "javascript:alert(1)", 2),
    (("Links: https://a.example/", "Links: mailto:jane@example.org"), "mailto:jane@example.org", 3),
    (("Links: https://a.example/", "    ftp://files.example/jane"), "ftp://files.example/jane", 3),
    (("Links: jane.example.org",), "jane.example.org", 2),
    (("Links: https://",), "https://", 2),
    (("Links: https://a.example:99999/",), "https://a.example:99999/", 2),
    (("Links: https://a.example/\x00x",), "https://a.example/\x00x", 2),
])
def test_a_link_that_is_not_http_is_an_error(tmp_path, links, bad, line):
    result = make_html(tmp_path, {"harbour.md": ARTICLE,
                                  "authors/jane-doe.md": author_file("Name: Jane Doe", *links)})
    assert failed(result) == (f'content/authors/jane-doe.md:{line}: Links: "{bad}" is not a web address: '
                              "write each link in full, starting with https:// (separate several with commas).")


def test_an_author_without_a_file_and_a_file_without_articles_build(tmp_path):
    result = make_html(tmp_path, {"harbour.md": ARTICLE, "authors/ann-lee.md": author_file("Name: Ann Lee")})
    assert result.returncode == 0, result.stdout
    output = tmp_path / "output"
    assert (output / "author" / "jane-doe.html").is_file()
    assert not (output / "author" / "ann-lee.html").exists()
    assert not list(output.glob("**/ann-lee*"))


def test_an_author_name_without_letters_or_digits_is_an_error(tmp_path):
    # Its slug is empty: the byline linked to author/.html, and that page was written.
    # ("<b>" was one until header text read as typed: its "b" now makes the address.)
    article = ARTICLE.replace("Authors: Jane Doe, John Roe", "Authors: Jane Doe, !!!")
    result = make_html(tmp_path, {"harbour.md": article})
    assert failed(result) == ('content/harbour.md:3: the author "!!!" has no letters or digits to '
                              "make the author's page address from: write each name in full, "
                              "separated by commas")


def test_an_author_named_twice_is_shown_and_listed_once(tmp_path):
    article = ARTICLE.replace("Jane Doe, John Roe", "Jane Doe, jane doe, John Roe, Jane Doe")
    result = make_html(tmp_path, {"harbour.md": article,
                                  "authors/jane-doe.md": author_file("Name: Jane Doe")})
    assert result.returncode == 0, result.stdout
    page = (tmp_path / "output" / "harbour-reopens.html").read_text(encoding="utf-8")
    assert page.count('class="p-author h-card" href="/author/jane-doe.html"') == 1
    assert page.count('"url": "/author/jane-doe.html"') == 1
    author_page = (tmp_path / "output" / "author" / "jane-doe.html").read_text(encoding="utf-8")
    assert author_page.count('class="summary h-entry"') == 1
    listing = (tmp_path / "output" / "authors.html").read_text(encoding="utf-8")
    assert "(1)" in listing and "(2)" not in listing


@pytest.mark.parametrize("files, where", [
    ({"harbour.md": ARTICLE.replace("John Roe", "John\x00 Roe")}, "content/harbour.md:3"),
    ({"harbour.md": ARTICLE, "authors/jane-doe.md": author_file("Name: Jane\x00 Doe")},
     "content/authors/jane-doe.md:1"),
    ({"harbour.md": ARTICLE, "authors/jane-doe.md": author_file("Name: Jane Doe", "Role: Edi\x1btor")},
     "content/authors/jane-doe.md:2"),
    ({"harbour.md": ARTICLE, "authors/jane-doe.md": author_file("Name: Jane Doe", bio="One.\n\nTw\x00o.")},
     "content/authors/jane-doe.md:5"),
])
def test_an_invisible_control_character_in_a_name_role_or_bio_is_an_error(tmp_path, files, where):
    # A NUL went into every byline, the author page and the authors list as it was.
    result = make_html(tmp_path, files)
    assert failed(result) == (f"{where}: this line contains an invisible control character "
                              "(such as NUL): retype it")


def test_a_field_continued_on_an_indented_line_is_one_value(tmp_path):
    # It read as "Name is given 2 times", with no line.
    profile = author_file("Name: Jane\n    Doe", "Role: Health\n    reporter")
    result = make_html(tmp_path, {"harbour.md": ARTICLE, "authors/jane-doe.md": profile})
    assert result.returncode == 0, result.stdout
    page = (tmp_path / "output" / "author" / "jane-doe.html").read_text(encoding="utf-8")
    assert '<h1 class="page-title">Jane Doe</h1>' in page
    assert '<p class="author-role p-job-title">Health reporter</p>' in page
