"""Cross-site scripting vectors, by the families of OWASP's XSS Filter Evasion cheat sheet,
and a checker that says which elements and attributes of a page a browser would run.

The vectors are what a hostile note or a careless editor could put in any field; the
tests (tests/test_xss.py) send each through every door and read every page back.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

FAMILIES: dict[str, list[str]] = {
    "script tags": [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
        '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
    ],
    "breaking out of the page's own markup": [
        "</title><script>alert(1)</script>",
        "</textarea><script>alert(1)</script>",
        "</script><script>alert(1)</script>",
        '"><script>alert(1)</script>',
        '" onmouseover="alert(1)',
    ],
    "event handlers": [
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<input autofocus onfocus=alert(1)>",
        "<details open ontoggle=alert(1)>",
        '<img/src="x"/ONERROR=alert(1)>',
    ],
    "script URLs in Markdown": [
        "[链接](javascript:alert(1))",
        "[链接](jav&#x09;ascript:alert(1))",
        "[链接](&#106;avascript:alert(1))",
        "[链接](vbscript:msgbox(1))",
        "[链接](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![图](javascript:alert(1))",
        "<JaVaScRiPt:alert(1)>",
        "[链接][ref]\n\n[ref]: javascript:alert(1)",
        '[链接](https://ok.example/"onmouseover="alert(1))',
        '![图" onerror="alert(1)](https://mmbiz.qpic.cn/x.png)',
    ],
    "script URLs in HTML": [
        '<a href="javascript:alert(1)">点我</a>',
        '<a href="jav\tascript:alert(1)">点我</a>',
        '<a href=" &#14;  javascript:alert(1)">点我</a>',
        "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
    ],
    "SVG and MathML": [
        "<svg><script>alert(1)</script></svg>",
        '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    ],
    "CSS": [
        '<div style="background:url(javascript:alert(1))">样式</div>',
        '<div style="width: expression(alert(1))">样式</div>',
        '<style>body{background:url("javascript:alert(1)")}</style>',
        '<link rel="stylesheet" href="https://xss.example/xss.css">',
        "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061"
        "\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028"
        "\\0031\\0029'\\0029\">样式</DIV>",
    ],
    "frames, objects, base, refresh, forms": [
        '<iframe src="javascript:alert(1)"></iframe>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        '<object data="javascript:alert(1)"></object>',
        '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
        '<base href="javascript:alert(1)//">',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<form action="javascript:alert(1)"><input type="submit" value="提交"></form>',
    ],
    "malformed": [
        '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
        "<IMG SRC=\"javascript:alert('XSS')\"",
        "<!--<script>alert(1)</script>-->",
    ],
    "entities and encodings": [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "＜script＞alert(1)＜/script＞",
    ],
    "Markdown constructs": [
        "```html\n<script>alert(1)</script>\n```",
        "正文[^1]\n\n[^1]: <script>alert(1)</script>",
        "| 列 |\n| --- |\n| <img src=x onerror=alert(1)> |",
    ],
    "template syntax": [
        "{{ 7|add:7 }}{% debug %}",
        "{{ request.user.password }}{{ settings.SECRET_KEY }}",
        "{{constructor.constructor('alert(1)')()}}${alert(1)}",
    ],
}
VECTORS: list[str] = [vector for vectors in FAMILIES.values() for vector in vectors]

# Elements a page may have of its own but content never may: each one found on a page
# must be one of the page's own (see signature), or something got through.
ELEMENTS = frozenset(
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
        "svg", "math", "style", "link", "input", "button", "textarea", "select", "isindex",
        "template", "portal", "noscript",
    }
)  # fmt: skip
CONTROLS = frozenset({"input", "button", "textarea", "select"})
URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "xlink:href", "poster", "background", "data",
        "codebase", "dynsrc", "lowsrc", "ping", "cite", "longdesc", "srcset",
    }
)  # fmt: skip
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
STYLE_SCRIPT = ("expression(", "url(javascript:", "url(vbscript:", "behavior:", "-moz-binding")
_CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f]+")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_NUMBERS = re.compile(r"[0-9]+")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_QUOTE = re.compile(r"""url\(\s*['"]""")

Attributes = list[tuple[str, str]]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, Attributes]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, [(name, value or "") for name, value in attrs]))


def elements(page: str) -> list[tuple[str, Attributes]]:
    """Every element of `page`, as (tag, [(attribute, value)]), the values unescaped."""
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser.found


def _watched(tag: str, attrs: Attributes) -> bool:
    return tag in ELEMENTS or (tag == "meta" and any(name == "http-equiv" for name, _ in attrs))


def signature(tag: str, attrs: Attributes) -> tuple:
    """What makes an element one of the page's own whatever the article: a form control
    by its name, type and id (its value, errors and text are the user's); a <link> by its
    rel, type and the site its href points to (its path names the page); anything else
    by all its attributes, numbers in its URLs aside (/article/7/history/ is every
    article's history)."""
    values = dict(attrs)
    if tag in CONTROLS:
        return (tag, values.get("name"), values.get("type"), values.get("id"))
    if tag == "link":
        try:
            site = urlsplit(values.get("href", "")).netloc
        except ValueError:
            site = "?"
        return (tag, values.get("rel"), values.get("type"), site)
    shapes = [(n, _NUMBERS.sub("N", v) if n in URL_ATTRIBUTES else v) for n, v in attrs]
    return (tag, tuple(sorted(shapes)))


def own_elements(page: str) -> set[tuple]:
    """The signatures of the watched elements of `page`: its own, when the page is shown
    for a harmless article."""
    return {signature(tag, attrs) for tag, attrs in elements(page) if _watched(tag, attrs)}


def scheme_of(url: str) -> str:
    """`url` as a browser reads it for its scheme (the WHATWG URL parser): leading and
    trailing controls and spaces gone, tabs and newlines gone wherever they are, lower
    case. (The HTML parser has unescaped the attribute already.)"""
    return _TAB_OR_NEWLINE.sub("", url.strip(_C0_AND_SPACE)).lower()


def _css(value: str) -> str:
    def unescape(match: re.Match) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code < 0x110000 else ""
        return match.group(2)

    text = _CSS_ESCAPE.sub(unescape, _CSS_COMMENT.sub("", value))
    return _CSS_QUOTE.sub("url(", _CONTROL_AND_SPACE.sub("", text).lower())


def _urls(name: str, value: str) -> list[str]:
    if name == "srcset":
        return [candidate.strip().split(" ")[0] for candidate in value.split(",")]
    return [value]


def problems(page: str, own: set[tuple] | frozenset[tuple] = frozenset()) -> list[str]:
    """What in `page` a browser would run, load, or let take the page over, and that is
    not among `own` (the page's own elements, from own_elements)."""
    found = []
    for tag, attrs in elements(page):
        shown = f"<{tag} {' '.join(f'{n}={v!r}' for n, v in attrs)}>"[:160]
        if _watched(tag, attrs) and signature(tag, attrs) not in own:
            found.append(f"element {shown}")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"event handler in {shown}")
            elif name == "srcdoc":
                found.append(f"srcdoc in {shown}")
            elif name in URL_ATTRIBUTES and any(
                scheme_of(url).startswith(SCRIPT_SCHEMES) for url in _urls(name, value)
            ):
                found.append(f"script URL in {shown}")
            elif name == "style" and any(words in _css(value) for words in STYLE_SCRIPT):
                found.append(f"style that runs script in {shown}")
    return found
