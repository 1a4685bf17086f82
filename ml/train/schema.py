"""The training config's one schema: each option's type, range or choices, default and help.

Validation (``ml.train.config.validate_config``), the admin's run form and the error
bodies a person reads all come from these declarations, so a range is written once and
cannot drift between the web form and the trainer. Defaults that depend on the
architecture stay in ``ml.models.catalog``, next to the builders they belong to.

Pure Python, no Keras: the web process imports it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ml.models import catalog

OPTIMIZERS = ("adam", "sgd", "rmsprop")
LOSSES = ("ns", "saturating", "hinge")
UPDATES = ("alternating", "simultaneous")
DATASETS = ("mnist", "emnist-letters", "emnist-pool", "emnist-pool-cased", "alnum", "alnum-cased", "imported", "fonts", "notmnist",
            "folder", "fixture")
# Datasets with no default location (ml.data.sources.NEEDS_DATA_ROOT): "imported" is a folder the
# dataset importer wrote (MEDIA_ROOT/datasets/<id>), the others a raw source folder or ZIP.
DATASETS_NEEDING_ROOT = ("imported", "fonts", "notmnist", "folder")
# Datasets whose I and i can be trained on forms that cannot pass for l (ml.data.forms).
DATASETS_WITH_FORMS = ("emnist-pool-cased", "alnum-cased")

# Error key of a problem no single option owns (the config's shape, options it does not know).
WHOLE_CONFIG = "config"

KINDS = ("int", "float", "bool", "choice", "path", "optimizer")


@dataclass(frozen=True)
class Option:
    """One trainer option.

    ``per_architecture`` options exist only for architectures whose catalog entry gives
    them a default, and take that default; the others apply to every run and carry their
    own. Ranges are closed unless ``low_open``/``high_open``; ``noun`` names a valid value
    in messages ("a decay in (0, 1)"), so existing messages keep their wording.
    """

    name: str
    kind: str
    help: str
    default: object = None
    per_architecture: bool = False
    low: int | float | None = None
    high: int | float | None = None
    low_open: bool = False
    high_open: bool = False
    nullable: bool = False
    choices: tuple = ()
    noun: str = "a number"
    label: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"option {self.name}: kind must be one of {', '.join(KINDS)}")

    def default_for(self, architecture: str):
        return catalog.defaults_for(architecture)[self.name] if self.per_architecture else self.default

    def applies_to(self, architecture: str) -> bool:
        return not self.per_architecture or self.name in catalog.defaults_for(architecture)

    def choices_for(self, architecture: str | None = None) -> tuple:
        """An architecture may narrow an option's choices (``catalog.ARCHITECTURES[...]["choices"]``)."""
        spec = catalog.ARCHITECTURES.get(architecture) or {}
        return tuple(spec.get("choices", {}).get(self.name, self.choices))

    @property
    def interval(self) -> str:
        return f"{'(' if self.low_open else '['}{self.low}, {self.high}{')' if self.high_open else ']'}"

    def expects(self, architecture: str | None = None) -> str:
        """What a valid value is, as the end of "<name> must be ..."."""
        if self.kind == "int":
            text = f"an integer from {self.low} to {self.high}"
        elif self.kind == "float" and self.high is None:
            text = " ".join(part for part in (self.noun, f"{'>' if self.low_open else '>='} {self.low}") if part)
        elif self.kind == "float":
            text = " ".join(part for part in (self.noun, f"in {self.interval}") if part)
        elif self.kind == "bool":
            return "true or false"
        elif self.kind == "choice":
            text = f"one of {', '.join(self.choices_for(architecture))}"
        elif self.kind == "path":
            text = "a path"
        else:
            text = "an object with a name, one of " + ", ".join(OPTIMIZERS)
        return f"null or {text}" if self.nullable else text

    def message(self, name: str | None = None, architecture: str | None = None) -> str:
        return f"{name or self.name} must be {self.expects(architecture)}"

    def accepts(self, value, architecture: str | None = None) -> bool:
        if value is None:
            return self.nullable
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "choice":
            return value in self.choices_for(architecture)
        if self.kind == "path":
            return isinstance(value, str) and bool(value.strip())
        if self.kind == "int" and (not isinstance(value, int) or isinstance(value, bool)):
            return False
        if self.kind == "float" and (isinstance(value, bool) or not isinstance(value, int | float)
                                     or not math.isfinite(value)):
            return False
        if self.kind == "optimizer":
            return not optimizer_errors(self.name, value)
        return self._in_range(value)

    def _in_range(self, value) -> bool:
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)

    def errors(self, value, architecture: str | None = None, *, name: str | None = None) -> dict[str, str]:
        """``{key: message}`` for a bad value, ``{}`` for a good one; an optimizer reports
        each of its settings under a dotted key (``g_optimizer.learning_rate``)."""
        if self.kind == "optimizer":
            return optimizer_errors(name or self.name, value)
        return {} if self.accepts(value, architecture) else {name or self.name: self.message(name, architecture)}


def _catalog_choices(name: str) -> tuple:
    """Every value any architecture allows for ``name``, in the catalog's order."""
    values = (value for spec in catalog.ARCHITECTURES.values() for value in spec["choices"].get(name, ()))
    return tuple(dict.fromkeys(values))


ARCHITECTURE = Option(
    "architecture", "choice", "Network family; each has its own defaults and options (ml.models.catalog).",
    default="cgan-strong", choices=tuple(catalog.names()),
)

# The settings of ``g_optimizer`` and ``d_optimizer``; a missing learning rate is the optimizer's own default.
OPTIMIZER_OPTIONS = (
    Option("name", "choice", "Which optimizer.", choices=OPTIMIZERS, label="optimizer"),
    Option("learning_rate", "float", "Step size.", low=0, high=1, low_open=True, label="learning rate"),
    Option("beta_1", "float", "adam: decay of the first-moment average.", low=0, high=1, high_open=True, noun="",
           label="beta 1"),
    Option("beta_2", "float", "adam: decay of the second-moment average.", low=0, high=1, high_open=True, noun="",
           label="beta 2"),
    Option("momentum", "float", "sgd and rmsprop: momentum.", low=0, high=1, high_open=True, noun=""),
    Option("rho", "float", "rmsprop: decay of the squared-gradient average.", low=0, high=1, high_open=True,
           noun=""),
    Option("nesterov", "bool", "sgd: Nesterov momentum."),
)  # fmt: skip

# Every option of a run, in the order a person reads them.
OPTIONS = (
    Option("dataset", "choice", "Which loader reads the training data.", default="mnist", choices=DATASETS),
    Option("data_root", "path", "Folder or ZIP of the data; null: the loader's default location "
           f"({', '.join(DATASETS_NEEDING_ROOT)} have none).", nullable=True),
    Option("epochs", "int", "Passes over the training data (of steps_per_epoch steps each when set).",
           default=10, low=1, high=10_000),
    Option("batch_size", "int", "Examples per training step.", per_architecture=True, low=1, high=65_536),
    Option("seed", "int", "Same seed, same data order, noise and initial weights.", default=0, low=0,
           high=2**31 - 1),
    Option("steps_per_epoch", "int", "Steps per epoch; null: one pass over the training set.", low=1,
           high=10_000_000, nullable=True),
    Option("log_every", "int", "Steps between progress reports and cancellation checks.", default=50, low=1,
           high=1_000_000),
    Option("eval_images", "int", "Images scored after each epoch (0: no per-epoch quality metrics; "
           "needs an evaluator for the charset).", default=1000, low=0, high=1_000_000),
    Option("grid_per_class", "int", "Samples per class in each epoch's grid.", default=8, low=1, high=32),
    Option("balanced", "bool", "Draw every class equally often.", default=False),
    Option("distinct_forms", "bool", "Case-aware letters only: train I on barred capitals and i on dotted "
           "small letters, so neither passes for l.", default=False),
    Option("mixed_precision", "bool", "bfloat16 compute: GPU hosts, and CPUs with AMX (about 2x here).",
           default=False),
    Option("latent_dim", "int", "Length of G's noise vector.", per_architecture=True, low=1, high=4096),
    Option("conditional", "bool", "Give G and D the class label (no: an unconditional GAN).",
           per_architecture=True),
    Option("batch_norm", "bool", "Batch normalisation layers in the networks.", per_architecture=True),
    Option("g_width", "int", "cgan-strong: generator channels.", per_architecture=True, low=4, high=1024),
    Option("d_width", "int", "cgan-strong: discriminator channels.", per_architecture=True, low=4, high=1024),
    Option("activation", "choice", "cgan-seed only: the hidden layers' activation.", per_architecture=True,
           choices=_catalog_choices("activation")),
    Option("d_pretrain_steps", "int", "upsample-gan only: discriminator steps before training.",
           per_architecture=True, low=0, high=1_000_000),
    Option("loss", "choice", "ns: non-saturating; saturating: the original minimax; hinge.",
           per_architecture=True, choices=LOSSES),
    Option("label_smoothing", "float", "One-sided: D's target for real images is 1 minus this.",
           per_architecture=True, low=0, high=0.5, high_open=True, noun=""),
    Option("aux_weight", "float", "Weight of the auxiliary classifier loss (needs cgan-strong's class head).",
           per_architecture=True, low=0),
    Option("ema", "float", "Decay of an exponential moving average of G's weights, e.g. 0.999; null: none.",
           per_architecture=True, low=0, high=1, low_open=True, high_open=True, nullable=True, noun="a decay",
           label="EMA decay"),
    Option("update", "choice", "alternating: D then G on fresh noise (the seeds' way); simultaneous: one "
           "forward pass serves both updates, about 1.3x faster.", default="alternating", choices=UPDATES),
    Option("g_optimizer", "optimizer", "G's optimizer: its name and settings.", per_architecture=True),
    Option("d_optimizer", "optimizer", "D's optimizer: its name and settings.", per_architecture=True),
    Option("lr_decay_start", "float", "Fraction of the run after which both learning rates fall linearly to 0 "
           "(e.g. 0.5); null: constant rates.", low=0, high=1, high_open=True, nullable=True,
           noun="a fraction of the run", label="LR decay start"),
)  # fmt: skip

_BY_NAME = {option.name: option for option in (ARCHITECTURE, *OPTIONS)}
_OPTIMIZER_BY_NAME = {option.name: option for option in OPTIMIZER_OPTIONS}


def option(name: str) -> Option:
    """The option called ``name``; a dotted name (``g_optimizer.learning_rate``) is an optimizer setting."""
    head, _, setting = name.partition(".")
    if setting:
        if _BY_NAME.get(head) is None or _BY_NAME[head].kind != "optimizer":
            raise KeyError(name)
        return _OPTIMIZER_BY_NAME[setting]
    return _BY_NAME[name]


def options_for(architecture: str) -> tuple[Option, ...]:
    return tuple(option for option in OPTIONS if option.applies_to(architecture))


def defaults_for(architecture: str) -> dict:
    """The full default config of one architecture (without its name)."""
    return {option.name: option.default_for(architecture) for option in options_for(architecture)}


def optimizer_errors(key: str, value) -> dict[str, str]:
    """Problems of one optimizer setting dict, keyed ``<key>.<setting>`` (``<key>`` for unknown settings)."""
    name = _OPTIMIZER_BY_NAME["name"]
    if not isinstance(value, dict) or not name.accepts(value.get("name")):
        return {f"{key}.name": name.message(f"{key}.name")}
    errors = {}
    for setting in OPTIMIZER_OPTIONS[1:]:
        if setting.name in value:
            errors.update(setting.errors(value[setting.name], name=f"{key}.{setting.name}"))
    unknown = set(value) - set(_OPTIMIZER_BY_NAME)
    if unknown:
        errors[key] = f"{key} has unknown keys: {', '.join(sorted(unknown))}"
    return errors
