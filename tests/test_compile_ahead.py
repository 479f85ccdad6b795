"""Templates compiled ahead: loaded later without compiling, and never reused across generator code."""

from __future__ import annotations

import jinja2
import pytest

from generator import incremental, templates
from generator.templates import compile_ahead, make_environment


def _layouts(root, files: dict[str, str]):
    (root / "layouts").mkdir()
    for name, text in files.items():
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    return root


def _compiles(env, monkeypatch) -> list[str]:
    """The names env compiles from now on."""
    compiled, real = [], env.compile

    def compile_(source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return real(source, name, filename, *args, **kwargs)
    monkeypatch.setattr(env, "compile", compile_)
    return compiled


def test_the_brief_pages_templates_and_all_they_build_on_load_without_compiling(tmp_path, monkeypatch):
    env = make_environment(tmp_path)  # the default theme
    done = compile_ahead(env, ["_card.html", "_entry.html", "brief.html"])
    assert set(done) == {"_card.html", "_entry.html", "brief.html", "base.html", "_macros.html"}
    compiled = _compiles(env, monkeypatch)
    for name in done:
        env.get_template(name)
    assert compiled == []
    env.get_template("home.html")  # not compiled ahead: compiled when asked for
    assert compiled == ["home.html"]


def test_a_template_that_does_not_compile_is_left_for_its_page_to_report(tmp_path):
    root = _layouts(tmp_path, {"page.html": '{% extends "broken.html" %}{% block x %}{% endblock %}',
                               "broken.html": "<p>\n{% if %}\n", "fine.html": "{{ 1 + 1 }}"})
    env = make_environment(root)
    assert compile_ahead(env, ["page.html", "fine.html"]) == ["page.html", "fine.html"]
    with pytest.raises(jinja2.TemplateSyntaxError) as error:
        env.get_template("page.html").render()
    assert (error.value.name, error.value.lineno) == ("broken.html", 2)
    assert env.get_template("fine.html").render() == "2"


def test_compiled_templates_in_the_cache_folder_are_used_only_by_the_same_generator_code(tmp_path, monkeypatch):
    root = _layouts(tmp_path, {"a.html": "{{ 'x' | upper }}"})
    folder = tmp_path / "compiled"
    compile_ahead(make_environment(root, folder), ["a.html"])
    assert len(list(folder.iterdir())) == 1

    same = make_environment(root, folder)  # a later build: found in the folder
    compiled = _compiles(same, monkeypatch)
    assert same.get_template("a.html").render() == "X" and compiled == []

    monkeypatch.setattr(incremental, "code_key", lambda: "another version of the generator")
    templates._compiled_here.cache_clear()
    try:
        other = make_environment(root, folder)
        compiled = _compiles(other, monkeypatch)
        assert other.get_template("a.html").render() == "X" and compiled == ["a.html"]
    finally:
        templates._compiled_here.cache_clear()
