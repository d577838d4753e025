"""The `once` global and the template environment the plugin prepares."""

import re
from types import SimpleNamespace

from jinja2 import DictLoader, Environment, FileSystemBytecodeCache
from markupsafe import Markup

from plugins.memo import Once, prepare_environment
from tests.site.conftest import FIXTURE_CONTENT, run_pelican


def test_once_renders_once_per_object_and_vary():
    calls = []
    env = Environment(loader=DictLoader({"t.html": (
        "{% macro card(a) %}{% do calls.append(a.n) %}[{{ a.n }} {{ site }}]{% endmacro %}"
        "{% for a in items %}{{ once(card, a, vary=site) }}{% endfor %}")}),
        extensions=["jinja2.ext.do"])
    env.globals.update(once=Once(), calls=calls)
    one, two = SimpleNamespace(n=1), SimpleNamespace(n=2)
    template = env.get_template("t.html")
    assert template.render(items=[one, two, one], site="a") == "[1 a][2 a][1 a]"
    assert template.render(items=[one], site="b") == "[1 b]"  # vary is part of the key
    assert calls == [1, 2, 1]


def test_once_keeps_text_encoded_and_returns_it_as_made():
    """A kept card is UTF-8 bytes (a "·" would make Python keep all of it at two bytes a
    character), handed back as the same type and text; other results are kept as they are."""
    calls = []

    def card(n):
        calls.append(n)
        return Markup(f"<p>{n} · …</p>") if n else ["not text"]

    card.name = "card"
    once = Once()
    first = once(card, 1)
    assert once._made[("card", None, 1)] == (Markup, "<p>1 · …</p>".encode())
    second = once(card, 1)
    assert type(second) is Markup and second == first == "<p>1 · …</p>"
    assert once(card, 0) is once(card, 0)
    assert calls == [1, 0]


def test_prepare_environment_caches_compiled_templates_in_cache_path(tmp_path):
    generator = SimpleNamespace(env=Environment(), settings={"CACHE_PATH": str(tmp_path / "cache")})
    prepare_environment(generator)
    assert isinstance(generator.env.globals["once"], Once)
    assert generator.env.auto_reload is False
    assert isinstance(generator.env.bytecode_cache, FileSystemBytecodeCache)
    assert (tmp_path / "cache" / "jinja").is_dir()


def test_a_cache_path_that_cannot_be_made_builds_without_the_bytecode_cache(tmp_path):
    (tmp_path / "cache").write_text("a file where the folder would go", encoding="utf-8")
    generator = SimpleNamespace(env=Environment(), settings={"CACHE_PATH": str(tmp_path / "cache")})
    prepare_environment(generator)
    assert generator.env.bytecode_cache is None
    assert isinstance(generator.env.globals["once"], Once)


def listing(html: str) -> str:
    """The page with the whitespace between tags normalised (a macro called from Python starts
    at column 0; the same macro inline keeps its indentation)."""
    return re.sub(r"\s+", " ", html)


def test_the_site_reads_the_same_with_and_without_the_plugin(tmp_path):
    """Cards rendered once per build are the cards rendered per page: every listing page of the
    fixture site is the same, but for whitespace, and the article pages are byte for byte."""
    import runpy

    from tests.conftest import ROOT

    plugins = [name for name in runpy.run_path(str(ROOT / "pelican.conf.py"))["PLUGINS"]
               if name != "plugins.memo"]
    outputs = {}
    for name, extra in (("with", ()), ("without", ("-e", f"PLUGINS={plugins!r}".replace("'", '"')))):
        result = run_pelican(FIXTURE_CONTENT, tmp_path / name, *extra,
                             "-e", f'CACHE_PATH="{tmp_path / "cache"}"')
        assert result.returncode == 0, result.stdout + result.stderr
        outputs[name] = tmp_path / name
    pages = sorted(p.relative_to(outputs["with"]) for p in outputs["with"].rglob("*.html"))
    assert pages == sorted(p.relative_to(outputs["without"]) for p in outputs["without"].rglob("*.html"))
    token = re.compile(r'name="form_token" value="[^"]*"')
    for page in pages:
        made = [token.sub("", (outputs[name] / page).read_text(encoding="utf-8")) for name in outputs]
        assert listing(made[0]) == listing(made[1]), page
