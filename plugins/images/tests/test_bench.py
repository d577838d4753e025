"""The images benchmark's content (the benchmark itself runs with `make bench`)."""

from bench import images
from plugins.build_errors import metadata_line

from .pictures import decoded


def test_generated_articles_each_name_their_own_photo_sized_picture(tmp_path):
    images.generate(tmp_path / "with", 2)
    images.generate(tmp_path / "without", 2, with_images=False)
    pictures = [(tmp_path / "with" / "images" / f"photo-{index}.jpg").read_bytes() for index in range(2)]
    assert pictures[0] != pictures[1]
    assert all(decoded(data).size == images.SIZE for data in pictures)
    assert metadata_line(tmp_path / "with" / "article-1.md", "Image") == 4
    assert metadata_line(tmp_path / "with" / "article-1.md", "ImageAlt") == 5
    assert metadata_line(tmp_path / "without" / "article-1.md", "Image") is None
