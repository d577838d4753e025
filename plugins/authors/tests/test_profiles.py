"""One author file's fields into an AuthorProfile (no build): photo size, description, links, schema."""

from pathlib import Path

import pytest
from PIL import Image

from plugins.authors.profiles import DESCRIPTION_WORDS, Link, read_profile
from plugins.build_errors import BuildError


def profile(tmp_path: Path, metadata: dict, bio: str = "<p>Bio.</p>", header: str = "Name: Jane Doe\n"):
    path = tmp_path / "authors" / "jane-doe.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + bio + "\n", encoding="utf-8")
    return read_profile(str(path), bio, {"name": "Jane Doe", **metadata}, tmp_path, lambda name: "jane-doe")


def test_photo_size_is_as_displayed_with_exif_rotation(tmp_path):
    (tmp_path / "authors").mkdir()
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned a quarter: browsers show the picture 80 wide, 60 high
    Image.new("RGB", (60, 80)).save(tmp_path / "authors" / "turned.jpg", exif=exif)
    Image.new("RGB", (60, 80)).save(tmp_path / "authors" / "upright.jpg")
    turned = profile(tmp_path, {"photo": "authors/turned.jpg"}, header="Name: Jane Doe\nPhoto: authors/turned.jpg\n")
    upright = profile(tmp_path, {"photo": "authors/upright.jpg"}, header="Name: Jane Doe\nPhoto: authors/upright.jpg\n")
    assert (turned.photo.width, turned.photo.height) == (80, 60)
    assert (upright.photo.width, upright.photo.height) == (60, 80)


def test_photo_url_is_encoded_path(tmp_path):
    (tmp_path / "authors").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "authors" / "jane doe #1.png")
    photo = profile(tmp_path, {"photo": "authors/jane doe #1.png"}).photo
    assert (photo.path, photo.url) == ("authors/jane doe #1.png", "authors/jane%20doe%20%231.png")


def test_description_is_the_bio_as_text_cut_at_fifty_words(tmp_path):
    words = [f"w{number}" for number in range(DESCRIPTION_WORDS + 5)]
    long = profile(tmp_path, {}, bio="<p>" + " ".join(words[:3]) + " &amp; <em>" + " ".join(words[3:]) + "</em></p>")
    assert long.description == " ".join(words[:3] + ["&"] + words[3:DESCRIPTION_WORDS - 1]) + " …"
    assert profile(tmp_path, {}, bio="<p>Short &lt;bio&gt;.</p>").description == "Short <bio>."
    assert profile(tmp_path, {}, bio="").description == ""


def test_links_split_on_commas_keep_order_once_and_have_short_labels(tmp_path):
    links = profile(tmp_path, {"links": ["https://user:pw@www.Example.org/jane/, http://b.example:8080",
                                         "https://user:pw@www.Example.org/jane/"]}).links
    assert links == (Link("https://user:pw@www.Example.org/jane/", "example.org/jane"),
                     Link("http://b.example:8080", "b.example:8080"))


def test_schema_adds_only_what_the_file_knows(tmp_path):
    person = {"@type": "Person", "name": "Jane Doe", "url": "https://site/author/jane-doe.html"}
    assert profile(tmp_path, {}, bio="").schema(person, "https://site") == person
    full = profile(tmp_path, {"role": "<b>Health</b> &amp; science", "links": "https://a.example/"})
    assert full.schema(person, "https://site") == {**person, "jobTitle": "Health & science",
                                                   "description": "Bio.", "sameAs": ["https://a.example/"]}


def test_a_photo_name_too_long_for_the_system_is_a_missing_file(tmp_path):
    name = "authors/" + "x" * 300 + ".png"
    with pytest.raises(BuildError, match="is not a file"):
        profile(tmp_path, {"photo": name}, header=f"Name: Jane Doe\nPhoto: {name}\n")
