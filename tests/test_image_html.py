"""PURE: the images of stored body HTML (articles/images/html.py): no database mark."""

from articles.images import html


def test_sources_and_localize():
    body = (
        '<p><a class="image" href="https://x.cn/a.png?x=1&amp;y=2"><img alt="" loading="lazy"'
        ' src="https://x.cn/a.png?x=1&amp;y=2" referrerpolicy="no-referrer"></a></p>'
        '<p><img src="/local.png"><img src="https://x.cn/b.png"><img src="https://x.cn/a.png?x=1&amp;y=2"></p>'
    )
    assert html.sources(body) == ["https://x.cn/a.png?x=1&y=2", "https://x.cn/b.png"]
    copy = html.Copy("/images/aa/a.jpg", 800, 600, "/images/aa/a-720.webp", 720)
    shown = html.localize(body, {"https://x.cn/a.png?x=1&y=2": copy})
    assert shown.count('src="/images/aa/a.jpg" width="800" height="600" srcset=') == 2
    assert 'href="https://x.cn/a.png?x=1&amp;y=2"' in shown and 'src="https://x.cn/b.png"' in shown
    assert html.localize(body, {}) == body
    assert copy.absolute("http://s/").url == "http://s/images/aa/a.jpg"
