import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# What would let a value close the <script> element or open a comment, escaped as
# JSON escapes: the same table Django's json_script uses.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """`data` as a schema.org JSON-LD <script>, safe whatever its strings hold."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def page_url(context):
    """The page's own address: its path and page number, never the rest of the query
    string (a cached page is shared by readers who came with any)."""
    request, page = context["request"], context.get("page_obj")
    query = f"?page={page.number}" if page is not None and page.number > 1 else ""
    return request.build_absolute_uri(request.path + query)


@register.tag
def once(parser, token):
    """`{% once %}…{% endonce %}`: what the page chrome repeats on every page (the header,
    the footer), rendered once a process for each language and script prefix and then
    kept (and again when a setting changes, as in tests). Only for what nothing but
    settings, addresses and translations shape: no request, no user, no page."""
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return _Once(nodelist)


_kept: dict[tuple, str] = {}


@receiver(setting_changed)  # (tests) STATIC_URL, say
def _forget(**kwargs) -> None:
    _kept.clear()


class _Once(template.Node):
    def __init__(self, nodelist) -> None:
        self.nodelist = nodelist

    def render(self, context):
        key = (id(self), get_language(), get_script_prefix())
        html = _kept.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if not settings.DEBUG:  # where templates reload as they are edited
                _kept[key] = html
        return html
