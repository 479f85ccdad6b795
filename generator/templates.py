"""Templates: the Jinja environment, with the site's layouts/ over the default theme.

Autoescape is on for every HTML and XML template, undefined names are errors
(StrictUndefined), and FILTERS is the whole list of filters templates may use.
"""

from __future__ import annotations

import hashlib
import marshal
from functools import lru_cache
from pathlib import Path

from generator import DISCLAIMER, __version__
from generator.dates import date_range, long_date, month_year
from generator.slugs import slugify


def default_layouts() -> Path:
    """The default theme: generator/_layouts inside a wheel, layouts/ beside the package in a checkout."""
    packaged = Path(__file__).parent / "_layouts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "layouts"


def layout_dirs(root: Path) -> list[Path]:
    """Where templates and assets are looked up, first match wins."""
    dirs = []
    own = root / "layouts"
    if own.is_dir():
        dirs.append(own)
    default = default_layouts()
    if default.is_dir() and (not dirs or default.resolve() != dirs[0].resolve()):
        dirs.append(default)
    return dirs


# Every indexed page carries this word in a hidden Pagefind meta field (layouts/brief.html
# and issue.html); the search page searches it to list pages by filters alone. Pagefind 1.5
# loads every chunk of the index for a search without words, and only this word's chunk
# for a search with it. It starts with "qz" so no reader's word is a prefix of it.
EVERY_PAGE_WORD = "qzeverypage"

FILTERS = {
    "long_date": long_date,
    "month_year": month_year,
    "date_range": date_range,
    "slugify": slugify,
}


def make_environment(root: Path, compiled: Path | None = None):
    """`compiled`: a folder where Jinja keeps templates compiled to bytecode between builds
    (checked against each template's source and the generator's own code, so an edited
    template, or a new version of the generator or of Jinja, compiles again). Templates
    compiled in this process are kept in it either way (compile_ahead)."""
    import jinja2  # here, not at the top: a build with nothing to do never loads Jinja

    behind = None
    if compiled is not None:
        try:
            compiled.mkdir(parents=True, exist_ok=True)
            behind = jinja2.FileSystemBytecodeCache(str(compiled))
        except OSError:
            behind = None  # an unwritable cache folder only costs time
    cache = _compiled_here()(behind)
    env = _plain_globals_environment()(
        bytecode_cache=cache,
        loader=jinja2.FileSystemLoader([str(d) for d in layout_dirs(root)]),
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.context_class = _direct_call_context()
    env.template_class = _quick_escape_template()
    env.filters.update(FILTERS)
    env.globals.update(DISCLAIMER=DISCLAIMER, generator_version=__version__, EVERY_PAGE_WORD=EVERY_PAGE_WORD)
    return env


def compile_ahead(env, names) -> list[str]:
    """Compile the templates `names`, and every template they extend, include or import, into
    env's bytecode cache, so that loading them later, here or in a process forked from here,
    compiles nothing. No Template is made, so none holds globals set after this (see
    _plain_globals_environment): a build compiles its brief pages' templates while it is
    still parsing briefs, before the renderer sets the site's names. A template that does
    not compile is skipped: the page that uses it reports the error at its line. Returns
    the names compiled (or found compiled), in the order met."""
    from jinja2 import TemplateError
    from jinja2.meta import find_referenced_templates

    cache = env.bytecode_cache
    todo, seen, done = list(reversed(names)), set(), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source, filename, _ = env.loader.get_source(env, name)
            bucket = cache.get_bucket(env, name, filename, source)
            refs = cache.refs.get((bucket.key, bucket.checksum))
            if bucket.code is None or refs is None:
                tree = env.parse(source, name, filename)
                refs = cache.refs[(bucket.key, bucket.checksum)] = [n for n in find_referenced_templates(tree) if n]
                if bucket.code is None:
                    bucket.code = env.compile(tree, name, filename)
                    cache.set_bucket(bucket)
        except TemplateError:
            continue
        todo += [n for n in reversed(refs) if n not in seen]
        done.append(name)
    return done


@lru_cache(maxsize=1)
def _compiled_here():
    """A Jinja bytecode cache keeping every template compiled or loaded in this process (and so
    in the workers it forks), in front of the build cache's folder of them when there is one.
    A template's checksum covers its source and the generator's own code
    (incremental.code_key): Jinja's covers the source only, so a new version of the generator
    or of Jinja, which can compile the same source differently, would have loaded the old code."""
    import jinja2

    from generator.incremental import code_key

    salt = code_key().encode()

    class CompiledHere(jinja2.BytecodeCache):
        def __init__(self, behind=None):
            self.held: dict[str, tuple[str, object]] = {}  # bucket key -> (checksum, code)
            self.refs: dict[tuple, list[str]] = {}  # (bucket key, checksum) -> what it extends, includes, imports
            self.behind = behind

        def export(self, leave=frozenset()) -> tuple[dict, dict]:
            """What this cache holds but the keys `leave`, as data another process can adopt()."""
            return ({key: (checksum, marshal.dumps(code)) for key, (checksum, code) in self.held.items()
                     if key not in leave}, dict(self.refs))

        def adopt(self, exported: tuple[dict, dict]) -> None:
            held, refs = exported
            for key, (checksum, data) in held.items():
                self.held.setdefault(key, (checksum, marshal.loads(data)))
            self.refs.update(refs)

        def get_source_checksum(self, source: str) -> str:
            return hashlib.sha1(salt + source.encode("utf-8")).hexdigest()  # as Jinja's, salted

        def load_bytecode(self, bucket) -> None:
            held = self.held.get(bucket.key)
            if held is not None and held[0] == bucket.checksum:
                bucket.code = held[1]
                return
            if self.behind is not None:
                self.behind.load_bytecode(bucket)
                if bucket.code is not None:
                    self.held[bucket.key] = (bucket.checksum, bucket.code)

        def dump_bytecode(self, bucket) -> None:
            self.held[bucket.key] = (bucket.checksum, bucket.code)
            if self.behind is not None:
                self.behind.dump_bytecode(bucket)

    return CompiledHere


@lru_cache(maxsize=1)
def _direct_call_context():
    """Jinja's Context, calling plain functions, methods and macros straight away.

    Every call in a template goes through Context.call, which asks each
    callable (with four hasattr/getattr lookups) whether it wants the context
    passed (`pass_context` and friends). A function, method or macro carries
    that mark as an attribute, and a builtin cannot carry one at all, so one
    lookup settles it for them; anything else takes Jinja's own path. About a
    third of a brief page's rendering time was spent in Context.call. The one
    lookup reads the function's own __dict__: getattr with a default raised and
    caught an AttributeError for every unmarked function, and halved the cost
    of 25 calls of link() (64-78 us -> 35-42 us)."""
    import types

    import jinja2.runtime

    plain = frozenset({types.BuiltinFunctionType, types.MethodWrapperType, types.MethodDescriptorType,
                       types.WrapperDescriptorType})
    function, method, macro = types.FunctionType, types.MethodType, jinja2.runtime.Macro
    # Where a function or macro keeps the mark: its own __dict__, when its class has no attribute
    # of that name (read there, a missing mark costs no AttributeError raised and caught, which
    # getattr(obj, "jinja_pass_arg", None) pays on every call of an unmarked function).
    in_dict = frozenset(k for k in (function, macro) if not hasattr(k, "jinja_pass_arg"))

    def unmarked(obj, kind) -> bool:
        if kind is method:  # a bound method's attributes are its function's
            obj = obj.__func__
            kind = type(obj)
        if kind in in_dict:
            return obj.__dict__.get("jinja_pass_arg") is None
        return getattr(obj, "jinja_pass_arg", None) is None

    marked = frozenset({function, method, macro})

    class DirectCallContext(jinja2.runtime.Context):
        def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
            kind = type(__obj)
            if kind in plain or (kind in marked and unmarked(__obj, kind)):
                if kwargs:
                    kwargs.pop("_block_vars", None)
                    kwargs.pop("_loop_vars", None)
                try:
                    return __obj(*args, **kwargs)
                except StopIteration:
                    return __self.environment.undefined(
                        "value was undefined because a callable raised a StopIteration exception")
            return jinja2.runtime.Context.call(__self, __obj, *args, **kwargs)

    return DirectCallContext


@lru_cache(maxsize=1)
def _plain_globals_environment():
    """Jinja's Environment, giving each template its globals as one plain dict.

    Jinja layers a template's globals over the environment's with a ChainMap, and copies
    that into a new dict for every render (a brief page, its card and entry, each macro
    module): a Python-level loop over every global name. A dict copies in C: brief and
    listing pages render 8-14 % faster (switching the two in one process). The one
    difference: a change to `env.globals` after a template is loaded does not reach it,
    which Jinja's documentation already asks to avoid; the Renderer sets its names first."""
    import jinja2

    class PlainGlobalsEnvironment(jinja2.Environment):
        def make_globals(self, d):
            return {**self.globals, **(d or {})}

    return PlainGlobalsEnvironment


@lru_cache(maxsize=1)
def _quick_escape_template():
    """Jinja's Template (the Environment's `template_class` extension point), whose compiled code
    escapes each `{{ value }}` with quick_escape. Jinja's generated module imports `escape`
    by name; this replaces that one name in the module's namespace, for the root, its
    blocks and its macros alike. About 13 % off brief and listing pages (measured by
    switching the two in one process, six rounds each)."""
    import jinja2

    escape = quick_escape()

    class QuickEscapeTemplate(jinja2.Template):
        @classmethod
        def from_code(cls, environment, code, globals, uptodate=None):
            template = super().from_code(environment, code, globals, uptodate)
            template.root_render_func.__globals__["escape"] = escape
            return template

    return QuickEscapeTemplate


@lru_cache(maxsize=1)
def quick_escape():
    """markupsafe.escape, giving the same Markup for every value, in a third of the time for the
    two kinds pages output most: a plain string skips Markup's Python-level constructor, and a
    Markup (a rendered fragment, a macro's output) is returned as it is, being already safe.
    Without markupsafe's C escaping core (a private name, checked for) it is escape itself."""
    import markupsafe

    escape, markup, inner = markupsafe.escape, markupsafe.Markup, getattr(markupsafe, "_escape_inner", None)
    if inner is None:
        return escape
    make = str.__new__

    def quick(value):
        kind = type(value)
        if kind is str:
            return make(markup, inner(value))
        if kind is markup:
            return value
        return escape(value)
    return quick


def template_files(root: Path) -> dict[str, bytes]:
    """Every file of the layouts in effect, by name relative to its layouts folder (site first)."""
    out: dict[str, bytes] = {}
    for d in reversed(layout_dirs(root)):
        for path in sorted(d.rglob("*")):
            if path.is_file():
                out[path.relative_to(d).as_posix()] = path.read_bytes()
    return out
