"""Sphinx configuration of the sks4 documentation.

Build (warnings are errors, as in CI)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The pages are Markdown (MyST) except the API reference, which is reStructuredText
rendered from the numpydoc docstrings by autodoc. Nothing is trained or executed
at build time: autodoc only imports the modules.
"""

from __future__ import annotations

import posixpath
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # document the checkout being built

import sks4  # noqa: E402

project = "sks4"
author = "sks4 developers"
copyright = "sks4 developers"
release = sks4.__version__
version = release

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# Markdown: anchors for links like ``estimators.md#accuracy-and-timing``.
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

# API reference: members follow each module's ``__all__`` in source order;
# numpydoc renders the docstrings; autodoc documents the methods (numpydoc's
# member tables would list scikit-learn's inherited methods without their pages).
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autosummary_generate = False
numpydoc_show_class_members = False

html_theme = "pydata_sphinx_theme"
html_title = f"sks4 {release}"
html_static_path = ["_static"]
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}

# ---------------------------------------------------------------------------
# Pages written in parallel with the code. Each is listed in the toctrees and
# linked from other pages; while its prerequisite file is absent the page is
# left out: its toctree line is dropped, links to it render as plain text,
# and the build stays free of warnings.
OPTIONAL_PAGES = {
    "forecasting": "docs/forecasting.md",
    "gpu": "docs/gpu.md",
    "benchmarks": "docs/benchmarks.md",
    "api/forecasting": "sks4/forecasting.py",
    "api/model_selection": "sks4/model_selection.py",
}
sks4_missing_pages = sorted(doc for doc, need in OPTIONAL_PAGES.items() if not (ROOT / need).exists())
exclude_patterns += [f"{doc}.rst" for doc in sks4_missing_pages]

_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s#]+)\.md(#[^)\s]*)?\)")


def _drop_missing_pages(app, docname: str, source: list[str]) -> None:
    missing = set(app.config.sks4_missing_pages)
    if not missing:
        return
    here = posixpath.dirname(docname)

    def resolve(name: str) -> str:
        return posixpath.normpath(posixpath.join(here, name))

    lines = [line for line in source[0].splitlines(keepends=True) if resolve(line.strip() or ".") not in missing]
    text = "".join(lines)
    source[0] = _MD_LINK.sub(lambda m: m.group(1) if resolve(m.group(2)) in missing else m.group(0), text)


def _skip_foreign_methods(app, what, name, obj, skip, options):
    """Leave out methods a class gets from elsewhere (scikit-learn's ``get_params``,
    ``score``, ``set_output``, the generated ``set_*_request``...): they are
    documented by their own project."""
    if what == "class" and callable(obj):
        module = getattr(obj, "__module__", None) or ""
        if module and not module.startswith("sks4"):
            return True
    return None


def setup(app):
    # A page appearing or disappearing re-reads every document.
    app.add_config_value("sks4_missing_pages", [], "env")
    app.connect("source-read", _drop_missing_pages)
    app.connect("autodoc-skip-member", _skip_foreign_methods)
    return {"parallel_read_safe": True}
