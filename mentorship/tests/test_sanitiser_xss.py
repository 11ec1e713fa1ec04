"""render_markdown against hostile Markdown: every payload comes out inert, the checker
catches what it should, and ordinary content (highlighted code, links, images) survives."""

import markdown
import pytest

from mentorship.tests.xss_payloads import XSS_PAYLOADS, assert_no_active_content
from mentorship.text import render_markdown

PYTHON_FENCE = "```python\ndef greet(name):\n    return 'Hello ' + name\n```"


def test_it_has_at_least_200_distinct_payloads():
    assert len(set(XSS_PAYLOADS)) >= 200


@pytest.mark.parametrize(
    "payload", XSS_PAYLOADS, ids=[f"payload-{n:03d}" for n in range(len(XSS_PAYLOADS))]
)
def test_it_renders_the_payload_without_active_content(payload):
    html = render_markdown(payload)

    try:
        assert_no_active_content(html)
    except AssertionError as error:
        pytest.fail(f"Payload {payload!r} was not neutralised.\n{error}", pytrace=False)


def test_it_would_let_most_payloads_through_without_the_sanitiser():
    # The payloads are live: Markdown alone passes raw HTML and any URL on.
    unsanitised = 0
    for payload in XSS_PAYLOADS:
        try:
            assert_no_active_content(markdown.markdown(payload, extensions=["fenced_code"]))
        except AssertionError:
            unsanitised += 1

    assert unsanitised >= len(XSS_PAYLOADS) // 2


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<iframe src=https://example.com></iframe>",
        "<object data=x></object>",
        "<embed src=x>",
        "<style>p{}</style>",
        '<link rel="stylesheet" href="https://example.com/x.css">',
        '<meta http-equiv="refresh" content="0">',
        '<base href="https://example.com/">',
        "<form><input></form>",
        "<svg></svg>",
        "<math></math>",
        "<template></template>",
        "<img src=x onerror=alert(1)>",
        "<p ONCLICK=alert(1)>x</p>",
        '<p style="color:red">x</p>',
        '<p srcdoc="x">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JavaScript:alert(1)">x</a>',
        '<a href=" &#10;javascript:alert(1)">x</a>',
        '<a href="java&#9;script:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="javascript&colon;alert(1)">x</a>',
        '<a href="\x01javascript:alert(1)">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
        '<button formaction="javascript:alert(1)">x</button>',
        '<input type=image src="javascript:alert(1)">',
        '<a xlink:href="javascript:alert(1)">x</a>',
        '<video poster="javascript:alert(1)"></video>',
        '<td background="javascript:alert(1)">x</td>',
        '<p><span><a href="https://example.com">ok</a></span><img src=x onload=alert(1)></p>',
    ],
)
def test_it_catches_active_content(html):
    with pytest.raises(AssertionError, match="Active content survived"):
        assert_no_active_content(html)


def test_it_accepts_inert_html():
    assert_no_active_content(
        '<p><a href="https://example.com/a?b=1" title="javascript:alert(1)">x</a>'
        '<a href="/projects/3/">y</a><a href="mailto:a@example.com">z</a>'
        '<a href="java script:alert(1)">a relative URL</a>'
        '<img src="https://example.com/a.png" alt="onerror=alert(1)">'
        "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>"
    )


def test_it_highlights_a_fence_that_names_its_language():
    html = render_markdown(PYTHON_FENCE)

    assert html.startswith('<div class="codehilite"><pre>')
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">greet</span>' in html
    assert '<span class="k">return</span>' in html
    assert "style=" not in html


def test_it_leaves_a_fence_without_language_plain():
    html = render_markdown("```\ndef greet(): <b>hi</b>\n```")

    assert '<div class="codehilite"><pre>' in html
    assert '<span class="k">' not in html
    assert "def greet(): &lt;b&gt;hi&lt;/b&gt;" in html


def test_it_strips_classes_that_are_not_pygments_tokens():
    html = render_markdown(
        '<div class="codehilite alert alert-danger"><span class="k btn">x</span></div>'
        '<p class="k">y</p><code class="language-python">z</code>'
    )

    assert html == (
        '<div class="codehilite"><span class="k">x</span></div>\n<p>y</p>\n<p><code>z</code></p>'
    )


@pytest.mark.parametrize(
    "options",
    [
        "style=x",
        "lang=x",
        "src=x",
        "pygments_formatter=img",
        "pygments_formatter=raw",
        "linenostart=abc",
        "tagsfile=/etc/passwd",
        "noclasses=true",
        "css_class=btn",
        "linenos=table",
    ],
)
def test_it_ignores_options_written_on_a_fence(options):
    html = render_markdown(f"```{{.python {options}}}\ndef greet(): pass\n```")

    assert html.startswith('<div class="codehilite"><pre>')
    assert '<span class="k">def</span>' in html


def test_it_keeps_https_links_and_images():
    html = render_markdown(
        '[Docs](https://docs.example.com/a?b=1 "The docs") '
        '![Diagram](https://example.com/diagram.png "A diagram")'
    )

    assert (
        '<a href="https://docs.example.com/a?b=1" title="The docs" '
        'rel="noopener noreferrer nofollow">Docs</a>'
    ) in html
    assert '<img alt="Diagram" src="https://example.com/diagram.png" title="A diagram">' in html


def test_it_keeps_mailto_links():
    html = render_markdown("[Write to us](mailto:team@example.com) or <help@example.com>")

    assert '<a href="mailto:team@example.com" rel="noopener noreferrer nofollow">' in html
    assert '<a href="mailto:help@example.com" rel="noopener noreferrer nofollow">' in html
