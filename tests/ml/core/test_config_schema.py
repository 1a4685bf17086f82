"""The training config's schema: one declaration per option, and errors keyed by the option they are about."""

import subprocess
import sys

import pytest

from ml.models import catalog
from ml.train import schema
from ml.train.config import WHOLE_CONFIG, ConfigError, validate_config


def test_every_option_says_what_it_takes_and_why():
    for option in (schema.ARCHITECTURE, *schema.OPTIONS, *schema.OPTIMIZER_OPTIONS):
        assert option.help.strip(), option.name
        if option.kind in ("int", "float"):
            assert option.low is not None, option.name
        if option.kind == "int":
            assert option.high is not None, option.name
        if option.kind == "choice":
            assert option.choices, option.name
    batch = schema.option("batch_size")
    assert (batch.kind, batch.low, batch.high) == ("int", 1, 65_536)
    ema = schema.option("ema")
    assert (ema.low_open, ema.high_open, ema.nullable, ema.label) == (True, True, True, "EMA decay")
    assert schema.option("loss").choices == schema.LOSSES
    assert schema.option("g_optimizer.learning_rate").interval == "(0, 1]"
    assert schema.option("activation").choices_for("cgan-seed") == ("tanh", "leaky_relu")


def test_defaults_come_from_the_schema_and_the_catalog():
    for arch in catalog.names():
        config = validate_config({"architecture": arch})
        assert config == {**schema.defaults_for(arch), "architecture": arch}
        assert all(config[key] == value for key, value in catalog.defaults_for(arch).items())
    assert "g_width" in schema.defaults_for("cgan-strong") and "g_width" not in schema.defaults_for("dcgan")


def test_a_changed_catalog_default_is_what_a_new_config_gets(monkeypatch):
    monkeypatch.setitem(catalog.ARCHITECTURES["dcgan"]["defaults"], "batch_size", 48)
    assert validate_config({"architecture": "dcgan"})["batch_size"] == 48


def test_errors_are_keyed_by_the_option_they_are_about():
    with pytest.raises(ConfigError) as caught:
        validate_config({"architecture": "dcgan", "batch_size": 0, "loss": "l1", "learning_rate": 1,
                         "g_optimizer": {"name": "adam", "learning_rate": 3, "beta_9": 1},
                         "d_optimizer": "fast", "dataset": "folder", "ema": 1.0})  # fmt: skip
    errors = caught.value.errors
    assert errors == {
        WHOLE_CONFIG: "unknown options for dcgan: learning_rate",
        "batch_size": "batch_size must be an integer from 1 to 65536",
        "loss": "loss must be one of ns, saturating, hinge",
        "ema": "ema must be null or a decay in (0, 1)",
        "g_optimizer.learning_rate": "g_optimizer.learning_rate must be a number in (0, 1]",
        "g_optimizer": "g_optimizer has unknown keys: beta_9",
        "d_optimizer.name": "d_optimizer.name must be one of adam, sgd, rmsprop",
        "data_root": "dataset 'folder' needs data_root: the path of its files",
    }
    assert str(caught.value) == "; ".join(errors.values())  # a command line still reads every problem


def test_each_option_checks_itself_with_the_message_validation_gives():
    lr_decay = schema.option("lr_decay_start")
    assert lr_decay.accepts(None) and lr_decay.accepts(0) and not lr_decay.accepts(1.0)
    assert lr_decay.message() == "lr_decay_start must be null or a fraction of the run in [0, 1)"
    assert not schema.option("seed").accepts(True) and not schema.option("aux_weight").accepts(float("inf"))
    assert schema.option("aux_weight").message() == "aux_weight must be a number >= 0"
    assert schema.option("g_optimizer.beta_1").message("g_optimizer.beta_1") == "g_optimizer.beta_1 must be in [0, 1)"


def test_not_an_object_and_an_unknown_architecture_are_errors_too():
    with pytest.raises(ConfigError) as caught:
        validate_config([1])
    assert caught.value.errors == {WHOLE_CONFIG: "config must be a JSON object"}
    with pytest.raises(ConfigError) as caught:
        validate_config({"architecture": "gan9000"})
    assert list(caught.value.errors) == ["architecture"] and "valid names: cgan-seed" in str(caught.value)


def test_the_schema_loads_no_keras():
    code = ("import sys, ml.train.config, ml.train.schema; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('keras', 'tensorflow', 'jax', 'django')))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
