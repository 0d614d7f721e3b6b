"""Markdown that is slow or deep to render, by family: what the renderer's budget is
tested (tests/test_budget.py) and measured (bench/render_bench.py) against."""

SIZE = 80_000  # characters: the size of the body that held a worker for 30 s
FAMILIES = {
    "unclosed links": "[a](" * (SIZE // 4),
    "unclosed images": "![a](" * (SIZE // 5),
    "unclosed brackets": "[" * SIZE,
    "nested brackets": "[" * (SIZE // 2) + "](b)" * (SIZE // 8),
    "autolinks": "<http://" * (SIZE // 8),
    "raw HTML openers": "<a " * (SIZE // 3),
    "raw HTML comments": "<!--" * (SIZE // 4),
    "trailing-space breaks": "a  \n" * (SIZE // 4),
    "nested lists": "".join("    " * depth + "- a\n" for depth in range(300)),
    "nested quotes": ">" * SIZE + " a",
    "nested emphasis": "**a " * (SIZE // 8) + "b" + " a**" * (SIZE // 8),
    "thousands of footnotes": "".join(f"x[^{i}]\n" for i in range(5000))
    + "\n"
    + "".join(f"[^{i}]: n\n" for i in range(5000)),
    "code spans": "`a" * (SIZE // 2),
    "entities": "&#" * (SIZE // 2),
}
