"""Calls in templates: the build's faster call path must behave exactly as Jinja's own."""

from __future__ import annotations

import types

import jinja2
import pytest

from generator.templates import make_environment


@pytest.fixture()
def env(tmp_path):
    (tmp_path / "layouts").mkdir()
    return make_environment(tmp_path)


def test_functions_marked_pass_context_still_get_the_context(env):
    @jinja2.pass_context
    def who(context, greeting):
        return f"{greeting}, {context['name']}"

    @jinja2.pass_environment
    def env_name(environment):
        return "Environment" if isinstance(environment, jinja2.Environment) else "?"

    class Greeter:  # a callable object whose __call__ asks for the context
        @jinja2.pass_context
        def __call__(self, context):
            return context["name"].upper()

    class Host:  # methods whose functions carry the mark, and one bound to a marked callable object
        @jinja2.pass_context
        def name_of(self, context, suffix):
            return context["name"] + suffix

    def shout(context):
        return context["name"].upper() + "!"

    marked_callable = jinja2.pass_context(lambda context: context["name"].lower())

    class ClassMarked:  # a callable object whose class carries the mark
        jinja_pass_arg = marked_callable.jinja_pass_arg

        def __call__(self, host, context):
            return context["name"] + host.suffix

    host = Host()
    host.suffix = "~"
    bound_to_object = types.MethodType(ClassMarked(), host)  # its __func__ is no function: asked the slow way

    source = "{{ who('Hello') }} {{ env_name() }} {{ greeter() }} {{ host.name_of('?') }} {{ shout() }} {{ low() }} {{ odd() }}"
    names = dict(who=who, env_name=env_name, greeter=Greeter(), name="Ada", host=host, shout=jinja2.pass_context(shout),
                 low=marked_callable, odd=bound_to_object)
    out = env.from_string(source).render(**names)
    assert out == "Hello, Ada Environment ADA Ada? ADA! ada Ada~"
    assert out == jinja2.Environment().from_string(source).render(**names)  # as Jinja's own call path gives


def test_plain_functions_methods_builtins_and_macros_are_called_with_their_arguments(env):
    class Box:
        def double(self, n):
            return n * 2

    template = env.from_string(
        "{% macro tag(x, cls='c') %}<b class=\"{{ cls }}\">{{ x }}</b>{% endmacro %}"
        "{{ add(1, 2) }} {{ box.double(4) }} {{ words|length }} {{ ', '.join(words) }} "
        "{{ tag('<x>', cls='k') }} {% for w in words %}{{ tag(w) }}{% endfor %}")
    out = template.render(add=lambda a, b: a + b, box=Box(), words=["a", "b"])
    assert out == ('3 8 2 a, b <b class="k">&lt;x&gt;</b> <b class="c">a</b><b class="c">b</b>')


def test_a_callable_raising_stop_iteration_gives_undefined_as_in_jinja(env):
    def empty():
        raise StopIteration

    with pytest.raises(jinja2.UndefinedError, match="StopIteration"):
        env.from_string("{{ empty() }}").render(empty=empty)
    plain = jinja2.Environment(undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError, match="StopIteration"):
        plain.from_string("{{ empty() }}").render(empty=empty)


def test_an_overridden_label_or_meta_line_macro_shows_everywhere_the_default_theme_uses_them(project):
    """labels[a] and b.meta are the theme's macros made once: a site's own _macros.html changes them."""
    from conftest import brief_text, build
    from generator.templates import default_layouts

    root = project({"content/briefs/one.md": brief_text("One brief", published="2026-03-16")})
    macros = (default_layouts() / "_macros.html").read_text()
    macros = macros.replace('<a class="label label-', '<a data-own-label class="label label-', 1)
    macros = macros.replace('<p class="meta" data-pagefind-ignore>', '<p class="meta" data-own-meta data-pagefind-ignore>', 1)
    (root / "layouts").mkdir(exist_ok=True)
    (root / "layouts" / "_macros.html").write_text(macros)
    build(root)
    brief = next((root / "site" / "briefs").glob("*/index.html")).read_text()
    assert "data-own-label" in brief and "data-own-meta" in brief
    tag = next((root / "site" / "tags").glob("*/index.html")).read_text()  # cards
    assert "data-own-label" in tag and "data-own-meta" in tag
    issue = next((root / "site" / "issues").glob("*/index.html")).read_text()  # entries
    assert "data-own-meta" in issue


# -- escaping: the build's quicker escape must give exactly markupsafe's output ------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from markupsafe import Markup, escape  # noqa: E402

from generator.templates import quick_escape  # noqa: E402


class Shouting(str):
    """A str subclass with its own __html__: must still go through markupsafe's own rules."""

    def __html__(self):
        return self.upper()


class SafeNote(Markup):
    pass


values = st.one_of(st.text(), st.text().map(Markup), st.text().map(Shouting), st.text().map(SafeNote),
                   st.integers(), st.floats(allow_nan=False), st.none(), st.booleans())


@given(values)
def test_quick_escape_gives_markupsafes_result_for_every_kind_of_value(value):
    got, want = quick_escape()(value), escape(value)
    assert got == want and type(got) is Markup


def test_templates_escape_through_the_quick_escape_and_still_escape(env, tmp_path):
    (tmp_path / "layouts" / "t.html").write_text("{{ x }}|{{ m }}|{% macro k(v) %}<{{ v }}>{% endmacro %}{{ k(x) }}")
    template = env.get_template("t.html")
    assert template.root_render_func.__globals__["escape"] is quick_escape()
    html = template.render(x="<a href='x'>&", m=Markup("<b>safe</b>"))
    assert html == "&lt;a href=&#39;x&#39;&gt;&amp;|<b>safe</b>|<&lt;a href=&#39;x&#39;&gt;&amp;>"


def test_a_templates_globals_are_the_environments_with_its_own_on_top(env, tmp_path):
    (tmp_path / "layouts" / "g.html").write_text("{{ common }} {{ own }}")
    env.globals["common"] = "from the environment"
    template = env.get_template("g.html", globals={"own": "its own"})
    assert template.render() == "from the environment its own"
    assert "own" not in env.globals  # a template's own globals stay its own


# -- compiled ahead: the listings' templates, in the parent, for the workers it forks next -------

def test_preparing_compiles_a_template_and_all_it_extends_or_imports_and_leaves_broken_ones_to_their_page(project):
    from conftest import brief_text, build
    from generator.assemble import assemble
    from generator.build import check_site
    from generator.diagnostics import ContentError
    from generator.render import Renderer

    root = project({"content/briefs/one.md": brief_text("One brief", published="2026-03-16")})
    (root / "layouts").mkdir(exist_ok=True)
    (root / "layouts" / "source.html").write_text('{% extends "base.html" %}{% block main %}{{ broken( %}{% endblock %}\n')
    checked = check_site(root)
    renderer = Renderer(assemble(checked.content, checked.config), make_environment(root))
    renderer.env.cache.clear()
    renderer.prepare(["tag.html", "source.html"])
    compiled = {name for _, name in renderer.env.cache.keys()}
    assert {"tag.html", "base.html", "_macros.html"} <= compiled  # tag.html extends base.html, imports _macros.html
    assert "source.html" not in compiled  # it does not compile: left to the page that uses it
    with pytest.raises(ContentError) as failure:
        build(root)
    assert "layouts/source.html:1" in str(failure.value.diagnostics[0].location)
