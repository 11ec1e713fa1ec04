from django import template

from ..relative_time import relative_time
from ..text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """``{{ project.brief|markdown }}``: sanitised HTML from Markdown."""
    return render_markdown(text)


@register.filter(name="relative_time")
def relative_time_filter(moment):
    """``{{ notification.created_at|relative_time }}``: "5 minutes ago", "in 3 days"."""
    if not moment:
        return ""
    return relative_time(moment)
