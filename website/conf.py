"""Sphinx configuration of the course website (built by website/build.py; see its docstring)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from course_utils.syllabus import REPO_URL  # noqa: E402  (the repository URL is defined there only)

project = "Embeddings: from word vectors to vector search"
author = "The embeddings-course contributors"
copyright = "the embeddings-course contributors (MIT licence)"

extensions = ["myst_nb", "sphinx_copybutton"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "attrs_block"]
myst_heading_anchors = 3  # links to a heading (docs/glossary.md#recallk, a lesson's section) resolve on the site as on GitHub
myst_dmath_double_inline = True  # the lessons put $$...$$ inside paragraphs, as Jupyter allows
exclude_patterns = ["_build", "_static", "jupyter_execute", "**.ipynb_checkpoints"]

# Execute the lesson notebooks, caching each result by its content (only changed notebooks re-run).
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ.get("COURSE_SITE_CACHE", os.path.join(os.path.dirname(__file__), "_build", "jupyter_cache"))
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_in_temp = False
nb_code_prompt_show = "Show solution"
nb_code_prompt_hide = "Hide solution"
nb_merge_streams = True
# Progress bars (tqdm) are ipywidgets in Jupyter; the site shows their text form and loads no widget
# JavaScript (which would come from a CDN).
nb_ipywidgets_js = {}
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]

# MathJax 3 with SVG output (no font files to fetch) from the local copy that website/build.py puts
# in _static/mathjax: no CDN, works offline.
mathjax_path = "mathjax/tex-svg.js"

html_theme = "sphinx_book_theme"
html_title = "Embeddings course"
html_static_path = [os.path.join(os.environ.get("COURSE_SITE_SRC", "."), "_static")]
html_css_files = ["course.css"]
html_js_files = ["course.js"]
html_favicon = "static/favicon.svg"
html_theme_options = {
    "repository_url": REPO_URL,
    "use_repository_button": True,
    "use_download_button": True,
    "show_toc_level": 2,
}
html_last_updated_fmt = None
html_use_index = False  # the course has no index entries: no empty genindex page
copybutton_exclude = ".linenos, .gp, .go"  # copy code, not prompts or printed output
suppress_warnings = ["myst.header"]  # the lessons and bench/README use ### under a page title on purpose
html_context = {"default_mode": "auto"}  # pydata-sphinx-theme reads it from the context; light or dark by system
