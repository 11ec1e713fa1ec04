from django import template

from ..text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """``{{ project.brief|markdown }}``: sanitised HTML from Markdown."""
    return render_markdown(text)
