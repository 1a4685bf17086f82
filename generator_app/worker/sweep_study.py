"""The Optuna side of a sweep: its storage on the project's database, its sampler and its pruner.

Optuna over a hand-written search: its samplers (random, TPE, grid) and pruners (median,
successive halving, Hyperband) are maintained and documented, and its RDB storage keeps
every trial's parameters and per-epoch values in the same database as the runs, so any
worker on any host can ask for a trial, report an epoch or tell a result (ask/tell), and
a restart loses nothing.

Samplers are rebuilt for every ``ask`` (a different process may ask next), seeded from the
sweep's ``sampler_seed`` and the number of trials so far: the same sweep asks the same
sequence of parameters, and two asks never repeat one seed's first draw (the grid sampler,
which picks among unvisited points, keeps the sweep's seed as it is).
"""

import logging
import statistics
from pathlib import Path

from django.db import connection

from generator_app.models import PrunerKind, SamplerKind
from generator_app.models.sweep_objectives import OBJECTIVES
from generator_app.models.sweep_space import grid_values

logger = logging.getLogger(__name__)

SQLITE_TIMEOUT = 30  # seconds; like Django's own setting for the shared SQLite file
HYPERBAND_REDUCTION = 3


def storage_url(settings_dict=None):
    """A SQLAlchemy URL for Django's default database (pytest's test database included)."""
    from sqlalchemy.engine import URL

    settings_dict = settings_dict or connection.settings_dict
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    if engine.endswith("postgresql"):
        return URL.create(
            "postgresql+psycopg2",
            username=settings_dict.get("USER") or None,
            password=settings_dict.get("PASSWORD") or None,
            host=settings_dict.get("HOST") or None,
            port=int(settings_dict["PORT"]) if settings_dict.get("PORT") else None,
            database=settings_dict["NAME"],
        ).render_as_string(hide_password=False)
    raise NotImplementedError(f"sweeps need SQLite or PostgreSQL, not {engine}")


def _immediate_transactions(engine):
    """SQLite: take the write lock when a transaction begins, as Django does here
    (``transaction_mode`` IMMEDIATE), so Optuna and Django writers wait for each other
    (busy timeout) instead of failing on a lock upgrade."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None  # SQLAlchemy issues BEGIN itself

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


_STORAGES = {}


def _storage(url):
    import optuna

    if url in _STORAGES:
        return _STORAGES[url]
    if url.startswith("sqlite"):
        storage = optuna.storages.RDBStorage(url, engine_kwargs={"connect_args": {"timeout": SQLITE_TIMEOUT}})
        storage.engine.dispose()
        _immediate_transactions(storage.engine)
    else:
        storage = optuna.storages.RDBStorage(url, engine_kwargs={"pool_pre_ping": True})
    _STORAGES[url] = storage
    return storage


def close_storages():
    """Close this process's Optuna connections (before a fork: children must not share sockets)."""
    for storage in _STORAGES.values():
        storage.engine.dispose()


def sweep_storage():
    """The Optuna storage on this process's database (one per process and database)."""
    return _storage(storage_url())


def make_pruner(sweep):
    """Optuna's pruner for the sweep. Steps are epochs, counted from 1: with ``pruner_warmup_epochs``
    = N, epoch N + 1 is the first a trial may be pruned at."""
    import optuna

    first = sweep.pruner_warmup_epochs + 1

    if sweep.pruner == PrunerKind.MEDIAN:
        return optuna.pruners.MedianPruner(n_startup_trials=sweep.pruner_startup_trials, n_warmup_steps=first)
    if sweep.pruner == PrunerKind.SUCCESSIVE_HALVING:
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=first, reduction_factor=HYPERBAND_REDUCTION)
    if sweep.pruner == PrunerKind.HYPERBAND:
        return optuna.pruners.HyperbandPruner(
            min_resource=first,
            max_resource=max(1, sweep.epochs_per_trial),
            reduction_factor=HYPERBAND_REDUCTION,
        )
    return optuna.pruners.NopPruner()


def make_sampler(sweep, *, trials_so_far=0):
    import optuna

    seed = (sweep.sampler_seed * 1_000_003 + trials_so_far) % 2**32
    if sweep.sampler == SamplerKind.GRID:
        # The grid sampler shuffles its grid with its seed and stores only a point's index:
        # every ask must see the same order, so it keeps the sweep's own seed.
        return optuna.samplers.GridSampler(grid_values(sweep.search_space), seed=sweep.sampler_seed)
    if sweep.sampler == SamplerKind.TPE:
        # TPE samples at random until it has this many trials: a third of a small budget,
        # not Optuna's default of 10 (which would make an 8-trial sweep a random search).
        startup = max(2, min(10, sweep.n_trials // 3))
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup, constant_liar=True)
    return optuna.samplers.RandomSampler(seed=seed)


def load_study(sweep, *, trials_so_far=None):
    """The sweep's study (created on first use), with its pruner; with ``trials_so_far``, also
    the sampler for the next ask. Without it (telling, reporting) a plain random sampler
    stands in: Optuna's grid sampler stops the study when told the last grid point, which
    only works inside ``study.optimize``."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    asking = trials_so_far is not None
    return optuna.create_study(
        storage=sweep_storage(),
        study_name=sweep.study_name,
        direction=sweep.direction,
        sampler=make_sampler(sweep, trials_so_far=trials_so_far) if asking else optuna.samplers.RandomSampler(),
        pruner=make_pruner(sweep),
        load_if_exists=True,
    )


def _fmt(value):
    return f"{value:.4g}"


def prune_reason(*, sweep, study, epoch, value):
    """Why the pruner stopped a trial at ``epoch``, in figures a person can check."""
    from optuna.trial import TrialState

    metric = OBJECTIVES[sweep.objective].label
    others = [
        t.intermediate_values[epoch]
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING))
        if epoch in t.intermediate_values
    ]
    if sweep.pruner == PrunerKind.MEDIAN:
        completed = [
            t.intermediate_values[epoch]
            for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if epoch in t.intermediate_values
        ]
        if completed:
            median = statistics.median(completed)
            return (f"median pruner: at epoch {epoch} the median {metric} of {len(completed)} completed trials "
                    f"was {_fmt(median)}; this trial {_fmt(value)} ({sweep.direction})")  # fmt: skip
    kind = PrunerKind(sweep.pruner).label.split(" (")[0].lower()
    best = (max if sweep.direction == "maximize" else min)(others) if others else value
    return (f"{kind} pruner: at epoch {epoch} this trial's {metric} {_fmt(value)} was not among the best "
            f"1/{HYPERBAND_REDUCTION} of the {len(others)} trials that reached it (best {_fmt(best)})")  # fmt: skip
