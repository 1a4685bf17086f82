"""The Optuna side of a sweep without a worker: the storage URL, samplers and pruners per sweep settings."""

from types import SimpleNamespace

import optuna
import pytest

from generator_app.worker.sweep_study import make_pruner, make_sampler, storage_url


def test_the_storage_url_names_django_s_database():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/x/db.sqlite3"}
    assert storage_url(sqlite) == "sqlite:////tmp/x/db.sqlite3"
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "handgen", "USER": "hg", "PASSWORD": "p@ss:w/rd",
                "HOST": "db.example", "PORT": "5433"}  # fmt: skip
    assert storage_url(postgres) == "postgresql+psycopg2://hg:p%40ss%3Aw%2Frd@db.example:5433/handgen"
    with pytest.raises(NotImplementedError):
        storage_url({"ENGINE": "django.db.backends.mysql", "NAME": "x"})


def sweep(**changes):
    base = {"sampler": "random", "sampler_seed": 4, "pruner": "median", "pruner_startup_trials": 3,
            "pruner_warmup_epochs": 1, "n_trials": 9, "epochs_per_trial": 12,
            "search_space": {"w": {"type": "int", "low": 8, "high": 32, "step": 8}}}  # fmt: skip
    return SimpleNamespace(**{**base, **changes})


def test_samplers_follow_the_sweep_s_seed_and_trial_count():
    dist = {"x": optuna.distributions.FloatDistribution(0, 1)}

    def first_draw(sampler):
        study = optuna.create_study(sampler=sampler)
        return study.ask(fixed_distributions=dist).params["x"]

    assert first_draw(make_sampler(sweep(), trials_so_far=2)) == first_draw(make_sampler(sweep(), trials_so_far=2))
    assert first_draw(make_sampler(sweep(), trials_so_far=2)) != first_draw(make_sampler(sweep(), trials_so_far=3))
    assert first_draw(make_sampler(sweep(sampler_seed=5), trials_so_far=2)) != first_draw(
        make_sampler(sweep(), trials_so_far=2)
    )
    tpe = make_sampler(sweep(sampler="tpe"))
    assert isinstance(tpe, optuna.samplers.TPESampler) and tpe._n_startup_trials == 3
    grid = make_sampler(sweep(sampler="grid"))
    assert isinstance(grid, optuna.samplers.GridSampler) and grid._search_space == {"w": [8, 16, 24, 32]}


def test_pruners_follow_the_sweep_s_settings():
    median = make_pruner(sweep())
    assert isinstance(median, optuna.pruners.MedianPruner)
    assert (median._n_startup_trials, median._n_warmup_steps) == (3, 2)  # epochs count from 1; epoch 1 is warm-up
    hyperband = make_pruner(sweep(pruner="hyperband"))
    assert isinstance(hyperband, optuna.pruners.HyperbandPruner) and hyperband._max_resource == 12
    assert hyperband._min_resource == 2
    assert isinstance(make_pruner(sweep(pruner="successive_halving")), optuna.pruners.SuccessiveHalvingPruner)
    assert isinstance(make_pruner(sweep(pruner="none")), optuna.pruners.NopPruner)
