"""Start the dashboard: ``streamlit run app.py`` (options after it are Streamlit's, e.g. --server.port 8502).

While the browser loads the page (about 1.5 s), a background thread imports what every page needs
(pandas, scipy, plotly, nelm_stats through ui: about 0.5 s) and reads the default demo cohort, so
the first page is not waiting for them: a cold start under 3 s (benchmarks/bench_pages.py).
Nothing else differs from ``streamlit run app.py``.
"""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _warm() -> None:
    try:
        _import_and_read()
    except Exception:  # noqa: BLE001 - only a head start: the page itself imports and reports any error
        pass


def _import_and_read() -> None:
    from streamlit.runtime import Runtime
    from streamlit.runtime.runtime import RuntimeState

    for _ in range(500):  # once the server is up (not slowing its start), before the first visitor
        if Runtime.exists() and Runtime.instance().state != RuntimeState.INITIAL:
            break
        time.sleep(0.01)
    import ui  # noqa: F401  (the module the pages import: the same object, already loaded)
    from nelm_stats import samples

    ui._load_sample(samples.DEFAULT_SAMPLE)  # demo data: the shared cache, as on the first visit


def main() -> int:
    sys.path.insert(0, str(ROOT))
    threading.Thread(target=_warm, name="warm-imports", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
