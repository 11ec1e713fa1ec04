"""Markdown written by people (briefs, feedback, notes), rendered safely."""

import re
import threading

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions.fenced_code import FencedBlockPreprocessor, FencedCodeExtension
from pygments.token import STANDARD_TYPES

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}

# Highlighted code is Pygments' short token classes ("k", "s2", "c1") inside
# <div class="codehilite">, coloured by static/css/code.css. Only those class names pass,
# so people cannot borrow the page's own classes. No code[class="language-..."]: nh3
# matches class names exactly, not by pattern, and codehilite does not emit them.
PYGMENTS_TOKEN_CLASSES = {name for name in STANDARD_TYPES.values() if name}
ALLOWED_CLASSES = {"div": {"codehilite"}, "span": PYGMENTS_TOKEN_CLASSES}


class _FenceOptionsIgnored(FencedBlockPreprocessor):
    """A fence's language and classes (```python, ```{.python}) are kept; its key=value
    options are not. fenced_code hands those straight to codehilite and Pygments as
    keyword arguments, so a writer could pick the formatter, the CSS class or inline
    styles, and a few names (style=, lang=, src=, linenostart=x) raise an exception:
    the page showing the text would fail for everyone."""

    def handle_attrs(self, attrs):
        id_, classes, _options = super().handle_attrs(attrs)
        return id_, classes, {}


class _FencedCode(FencedCodeExtension):
    def extendMarkdown(self, md):
        md.registerExtension(self)
        md.preprocessors.register(
            _FenceOptionsIgnored(md, self.getConfigs()), "fenced_code_block", 25
        )


MARKDOWN_EXTENSIONS = [_FencedCode(), "tables", "sane_lists", "codehilite"]
MARKDOWN_EXTENSION_CONFIGS = {
    # Highlight only when the fence names its language (```python); classes, not inline
    # styles, which the CSP forbids.
    "codehilite": {"css_class": "codehilite", "guess_lang": False, "noclasses": False},
}


# One converter a thread, reset before each text: building one (its parser and every
# extension's processors) took about a millisecond, more than converting a review's
# feedback, and a page of twenty reviews built twenty. A converter is not safe to share
# between threads.
_converters = threading.local()


def _converter() -> markdown.Markdown:
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(
            extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_EXTENSION_CONFIGS
        )
    return converter


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML with only harmless tags kept: no scripts, no inline styles, no
    event handlers, links marked noopener. Fenced code naming its language is
    highlighted on the server."""
    html = _converter().reset().convert(text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 (sanitised by nh3 just above)


_CODE = re.compile(r"```.*?(?:```|\Z)|`[^`\n]*`", re.DOTALL)
_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Russian text is full of English identifiers (``pip install requests``); English text
# rarely quotes Russian: a text is Russian from this share of Cyrillic words.
CYRILLIC_SHARE_RUSSIAN = 0.3


def text_language(text: str) -> str:
    """``"ru"`` when enough words of the prose are Cyrillic, else ``"en"``. Code is
    left out and words are counted, not letters: a Russian question quoting
    ``TemplateDoesNotExist`` is still Russian."""
    words = _WORD.findall(_CODE.sub(" ", text or ""))
    if not words:
        return "en"
    cyrillic = sum(1 for word in words if _CYRILLIC.search(word))
    return "ru" if cyrillic / len(words) >= CYRILLIC_SHARE_RUSSIAN else "en"
