"""What makes two clippings the same article: a canonical form of their links, never
coarser than the links themselves."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, urlsplit

WECHAT_HOST = "mp.weixin.qq.com"
# A WeChat article is named by `__biz`, `mid` and `idx` (`sn` signs them); a link
# without `idx` is to the first article of its message.
WECHAT_KEYS = ("__biz", "mid", "idx", "sn")
WECHAT_DEFAULTS = {"idx": "1"}
# What WeChat adds to a link per share, per reader or per client: never part of the
# article's name. Anything else is kept (a temporary link's `signature`, an old link's
# `appmsgid`), so that two articles never share an identity.
WECHAT_NOISE = frozenset(
    [
        "chksm",
        "scene",
        "subscene",
        "ascene",
        "sessionid",
        "clicktime",
        "enterid",
        "key",
        "uin",
        "pass_ticket",
        "exportkey",
        "devicetype",
        "version",
        "lang",
        "nettype",
        "abtest_cookie",
        "wx_header",
        "from",
        "isappinstalled",
        "srcid",
        "fontscale",
        "fontgear",
        "countrycode",
        "realreporttime",
        "mpshare",
        "platform",
        "rd2werd",
        "poc_token",
        "acctmode",
        "winzoom",
        "payreadticket",
        "share_token",
        "login_type",
        "jumpfrom",
    ]
)
WECHAT_NOISE_PREFIXES = ("sharer_", "utm_")
# Links copied out of HTML write `&` as `&amp;`. Only that entity: `&times` of
# `&timestamp=` is an entity too (×), and so is `&lang`.
_AMPERSAND = re.compile(r"&(?:amp|#38|#x26);", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """The form of `url` that identifies its article; "" when `url` is not an http(s) URL.

    Scheme and host fold to lower case, http to https, a default port goes, and so does
    the fragment unless it is a route (`#/post/1`). WeChat links with `__biz`, `mid` and
    `sn` keep those and `idx` (1 when missing); other WeChat links keep every parameter but
    the per-share noise, sorted. Other links drop their `utm_*` parameters.
    """
    try:
        parts = urlsplit(_AMPERSAND.sub("&", url.strip()))
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not host:
        return ""
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    path = parts.path or "/"
    if host == WECHAT_HOST:
        path, pairs = _wechat_name(path.rstrip("/") or "/", pairs)
    else:
        pairs = [(k, v) for k, v in pairs if not k.lower().startswith("utm_")]
    query = "&".join(f"{quote(k, safe='_')}={quote(v, safe='=')}" for k, v in pairs)
    # A fragment names a place on the page (dropped), unless it is an app's route
    # (`#/post/1`, `#!/post/1`): then it names the page.
    route = parts.fragment if parts.fragment.startswith(("/", "!")) and host != WECHAT_HOST else ""
    return (
        f"https://{netloc}{path}" + (f"?{query}" if query else "") + (f"#{route}" if route else "")
    )


def _wechat_name(path: str, pairs: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    query = {**WECHAT_DEFAULTS, **dict(pairs)}
    if all(key in query for key in WECHAT_KEYS):
        return "/s", [(key, query[key]) for key in WECHAT_KEYS]
    kept = [
        (key, value)
        for key, value in pairs
        if key.lower() not in WECHAT_NOISE and not key.lower().startswith(WECHAT_NOISE_PREFIXES)
    ]
    return path, sorted(kept)


def source_key(url: str, path: str) -> str:
    """An article's natural key: its canonical URL, else its path in the vault."""
    canonical = canonical_url(url)
    name = f"url:{canonical}" if canonical else f"path:{path}"
    return hashlib.sha256(name.encode("utf-8")).hexdigest()
