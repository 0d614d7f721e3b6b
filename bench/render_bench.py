"""The worst time each family of pathological Markdown holds the renderer, within the
budget (FOLIO_RENDER_SECONDS), beside an ordinary long article (the seed, ten times).

    python -m bench.render_bench
"""

import time

from articles import rendering
from tests.conftest import SEED
from tests.pathological import FAMILIES

SECONDS = 1.0  # FOLIO_RENDER_SECONDS's default
RUNS = 3


def worst(text: str) -> tuple[float, str]:
    times, outcome = [], ""
    for _ in range(RUNS):
        started = time.perf_counter()
        try:
            html = rendering.render(text, seconds=SECONDS)
            outcome = f"rendered ({len(html):,} characters of HTML)"
        except rendering.RenderError as error:
            outcome = f"refused: {str(error)[:60]}"
        times.append(time.perf_counter() - started)
    return max(times), outcome


def main() -> None:
    ordinary = SEED.read_text(encoding="utf-8") * 10
    print(f"{'family':<24} {'characters':>10} {'worst s':>8}  outcome")
    for name, text in {"(the seed, ten times)": ordinary, **FAMILIES}.items():
        seconds, outcome = worst(text)
        print(f"{name:<24} {len(text):>10,} {seconds:>8.3f}  {outcome}")


if __name__ == "__main__":
    main()
