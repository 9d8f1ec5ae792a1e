"""Start the dashboard: ``streamlit run app.py`` (options after it are Streamlit's, e.g. --server.port 8502).

While the browser loads the page (about 1.5 s), a background thread imports what every page needs
(pandas, plotly, nelm_stats through ui: about 0.5 s) and reads the default demo cohort, so the
first page is not waiting for them (a cold start under 3 s, benchmarks/bench_pages.py); then what
the first analysis page needs (scipy.stats, plotly's figure classes: about 1 s more).
Nothing else differs from ``streamlit run app.py`` but one BLAS thread (see main).
"""
from __future__ import annotations

import os
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

    data = ui._load_sample(samples.DEFAULT_SAMPLE)  # demo data: the shared cache, as on the first visit
    ui.PAGE_SHOWN.wait(timeout=20)  # not competing with the first page, nor with its sending and drawing
    time.sleep(1.0)
    # what the first analysis page needs next: scipy.stats (0.7 s, loaded on first use) and plotly's
    # figure classes (built on first use), loaded by drawing figures nobody sees
    import scipy.stats  # noqa: F401
    import nelm_stats as ns
    from nelm_stats.figures.km import km_figure

    km_figure(ns.kaplan_meier(data, "os_months", "os_event", "icg"), time_unit="months").to_plotly_json()
    # and the bar and marker figures of the propensity page (plotly builds each trace type's checks once)
    from nelm_stats.figures.balance import love_plot, overlap_plot

    treatment = ns.treatment_columns(data)[0]
    matched = ns.propensity_match(data, treatment, ns.default_covariates(ns.covariate_columns(data, exclude=[treatment])))
    love_plot(matched).to_plotly_json()
    overlap_plot(matched).to_plotly_json()


def main() -> int:
    # one BLAS thread: the analyses of a page already run beside each other (and the browser beside
    # them) on this computer's cores; BLAS threads of their own only waited for the cores (the Report
    # page at 100 000 patients 1.2 -> 1.05 s on the server).  The numbers do not depend on it (the
    # numeric tests run with one BLAS thread too: make test-kernels).  Set before numpy is imported.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.path.insert(0, str(ROOT))
    threading.Thread(target=_warm, name="warm-imports", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
