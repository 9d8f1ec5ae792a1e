"""Look into Streamlit's data caches (for tests): how many entries each cache holds, globally
(shared by every session) and per session."""
from __future__ import annotations


def cache_entries() -> dict[tuple[str | None, str], int]:
    """{(session id or None for global, function name): number of cached entries}."""
    from streamlit.runtime.caching.cache_data_api import _data_caches

    out: dict[tuple[str | None, str], int] = {}
    for sid, caches in list(_data_caches._function_caches.items()):
        for cache in list(caches.values()):
            storage = cache.storage
            n = len(getattr(storage, "_mem_cache", ())) if hasattr(storage, "_mem_cache") else len(
                storage.get_stats())
            name = getattr(cache, "display_name", "?").rsplit(".", 1)[-1]
            out[(sid, name)] = out.get((sid, name), 0) + n
    return out


def global_entries(name: str) -> int:
    return sum(n for (sid, fn), n in cache_entries().items() if sid is None and fn == name)


def session_entries(name: str) -> int:
    return sum(n for (sid, fn), n in cache_entries().items() if sid is not None and fn == name)
