"""Markdown written by people (briefs, feedback, notes), rendered safely."""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
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

MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "codehilite"]
MARKDOWN_EXTENSION_CONFIGS = {
    # Highlight only when the fence names its language (```python); classes, not inline
    # styles, which the CSP forbids.
    "codehilite": {"css_class": "codehilite", "guess_lang": False, "noclasses": False},
}


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML with only harmless tags kept: no scripts, no inline styles, no
    event handlers, links marked noopener. Fenced code naming its language is
    highlighted on the server."""
    html = markdown.markdown(
        text or "",
        extensions=MARKDOWN_EXTENSIONS,
        extension_configs=MARKDOWN_EXTENSION_CONFIGS,
    )
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 (sanitised by nh3 just above)
