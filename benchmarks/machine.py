"""What the benchmarks share about where they run: the CPU's name, and the throw-away database's URL.

Every script prints the machine beside its figures (a number means little without it), and
the ones that start a real worker hand it the test database by URL.
"""

from __future__ import annotations

import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo, else what Python knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def database_url(settings_dict) -> str:
    """The DATABASE_URL of a Django database (SQLite or PostgreSQL), for a worker process."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    auth = settings_dict.get("USER") or ""
    auth += f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}@{settings_dict.get('HOST') or ''}{port}/{settings_dict['NAME']}"
