"""What makes two clippings the same article."""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlsplit

WECHAT_HOST = "mp.weixin.qq.com"
# A WeChat article is named by these; chksm, scene, sharer and the rest vary per share.
WECHAT_KEYS = ("__biz", "mid", "idx", "sn")


def canonical_url(url: str) -> str:
    """The form of `url` that identifies its article; "" when `url` is not an http(s) URL.

    WeChat links keep only `__biz`, `mid`, `idx` and `sn` (or the short `/s/<id>` path);
    other links drop their fragment and `utm_*` parameters. Scheme and host fold to
    lower case and http to https.
    """
    try:
        parts = urlsplit(html.unescape(url.strip()))
        host = (parts.hostname or "").lower()
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not host:
        return ""
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    path = parts.path or "/"
    if host == WECHAT_HOST:
        query = dict(pairs)
        if all(key in query for key in WECHAT_KEYS):
            return f"https://{host}/s?" + "&".join(f"{k}={query[k]}" for k in WECHAT_KEYS)
        return f"https://{host}{path.rstrip('/')}"
    kept = "&".join(f"{k}={v}" for k, v in pairs if not k.lower().startswith("utm_"))
    return f"https://{host}{port}{path}" + (f"?{kept}" if kept else "")
