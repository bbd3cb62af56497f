"""Render one ENS dataset into the XML of one filing type, through the Jinja templates.

Exception tree (bad *data* never raises: a missing value renders nothing and the schema stage
reports it; these are for an unknown filing or a broken template)::

    EnsgateError
    └── RenderError          carries one Diagnostic, RND001 (no template) or RND002 (failed)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from ..diagnostics import Diagnostic, EnsgateError, diag
from ._filings import FILINGS, FilingInfo, normalise_filing_code

_PACKAGE = "ensgate.templates"


class _DatasetEnvironment(jinja2.Environment):
    """A Jinja environment tuned for datasets (plain dicts): ``a.city`` looks up the key first.

    Jinja's default tries the Python attribute first and falls back to the key, which costs an
    AttributeError per lookup on a dict; templates read hundreds of keys per filing. Dataset keys
    never collide with dict method names (checked by a test)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


class RenderError(EnsgateError):
    """A filing could not be rendered; ``diagnostic`` (RND001 or RND002) says why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))


@dataclass(frozen=True, slots=True, kw_only=True)
class Renderer:
    """Renders datasets to ENS XML. ``template_dir``, when given, is searched before the packaged
    templates (``ensgate.templates``), so a deployment can override one filing or a macro.
    ``pretty`` indents nested elements (for people and golden files); without it every element
    is still on its own line but nested blocks are not re-indented, which renders about twice
    as fast. Both give the same XML infoset.

    The Jinja environment is built once per Renderer and compiled templates are cached by Jinja,
    so keep one Renderer per process. Autoescape is on (values are XML-escaped), undefined names
    fail loudly (``StrictUndefined``), no extensions are loaded."""

    template_dir: Path | None = None
    pretty: bool = False
    _env: jinja2.Environment = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_env", template_environment(self.template_dir,
                                                              pretty=self.pretty))

    def filing_info(self, code: str) -> FilingInfo:
        """The table row of a filing ("F26", "3F26" or "IE3F26"); RenderError RND001 when
        unknown."""
        normalised = normalise_filing_code(code)
        if normalised is None:
            raise RenderError(diag(
                "RND001", f"unknown filing type {code!r}",
                expected="one of " + ", ".join(FILINGS), found=code))
        return FILINGS[normalised]

    def render(self, filing: str, dataset: Mapping[str, Any]) -> str:
        """The ENS XML text of ``dataset`` as ``filing``, starting with the XML declaration.

        The dataset keys become the template's top-level names (``declaration``, ``master``,
        ``houses`` ...). Raises RenderError (RND001 no template, RND002 template failure, e.g. a
        key missing from the dataset); values that are None simply render nothing."""
        info = self.filing_info(filing)
        try:
            template = self._env.get_template(info.template)
        except jinja2.TemplateNotFound as exc:
            raise RenderError(diag(
                "RND001", f"template {info.template} not found",
                expected=info.template, found=str(exc), filing=info.code)) from exc
        except jinja2.TemplateError as exc:
            raise RenderError(_failure(info, exc)) from exc
        try:
            return template.render(dataset)
        except (jinja2.TemplateError, TypeError, AttributeError, KeyError) as exc:
            raise RenderError(_failure(info, exc)) from exc


def _environment(template_dir: Path | None, pretty: bool) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.PackageLoader(_PACKAGE, "."))
    env = _DatasetEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=64,
    )
    env.filters["nest"] = _indent if pretty else _unchanged
    return env


@lru_cache(maxsize=2)
def template_environment(template_dir: str | Path | None = None, *,
                         pretty: bool = False) -> jinja2.Environment:
    """The Jinja environment every XML template of ensgate renders in (filings and customs
    answers alike): autoescape, StrictUndefined, the ``nest`` filter, ``template_dir`` searched
    before the packaged templates."""
    if template_dir is None:
        return _packaged_environment(pretty)
    return _environment(Path(template_dir), pretty)


def _packaged_environment(pretty: bool) -> jinja2.Environment:
    """One environment per process for the packaged templates (they never change while it
    runs), so their compiled form is shared by every Renderer: compiling the templates costs
    ~35 ms, which a batch of one message (an HTTP connector, a test) used to pay each time.
    Environments with a ``template_dir`` stay per Renderer: a deployment may edit its files."""
    return _environment(None, pretty)


def _indent(text: Any, width: int) -> Any:
    """``| nest(n)`` of pretty output: indent every line but the first by n spaces."""
    return jinja2.filters.do_indent(text, width)


def _unchanged(text: Any, width: int) -> Any:
    """``| nest(n)`` of compact output: nothing to do."""
    return text


def _failure(info: FilingInfo, exc: Exception) -> Diagnostic:
    where = ""
    lineno = getattr(exc, "lineno", None)
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or info.template
    if lineno is not None:
        where = f" ({name}:{lineno})"
    return diag("RND002", f"template {info.template} failed to render the dataset{where}: {exc}",
                found=type(exc).__name__, filing=info.code)
