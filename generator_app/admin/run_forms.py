"""The admin's "New training run" form: one field per trainer option, validated by ml itself.

A blank option means "the architecture's default" (the page shows each default as the
field's placeholder). ``clean`` runs ``ml.train.config.validate_config`` through
``build_training_config`` and puts every problem next to the field it is about, so a bad
value is a form error and nothing is queued.
"""

import json

from django import forms

from generator_app.models import Dataset, WorkQueue
from generator_app.models.validators import MAX_SEED
from generator_app.selectors.datasets import default_training_dataset
from generator_app.services.run_config import (
    FIXTURE,
    architecture_options,
    build_training_config,
    defaults_by_architecture,
)
from ml.models import catalog
from ml.train.config import LOSSES, OPTIMIZERS, UPDATES, ConfigError

DEFAULT = ("", "architecture default")
BOOL_CHOICES = [DEFAULT, ("true", "yes"), ("false", "no")]
OPTIMIZER_FIELDS = {"name": "optimizer_name", "learning_rate": "learning_rate", "beta_1": "beta_1"}


def _bool(value):
    return {"true": True, "false": False}.get(value)


def _int(required=False, **kwargs):
    return forms.IntegerField(required=required, **kwargs)


def _float(**kwargs):
    return forms.FloatField(required=False, **kwargs)


def _choice(values, **kwargs):
    return forms.ChoiceField(required=False, choices=[DEFAULT, *((v, v) for v in values)], **kwargs)


def _tristate(**kwargs):
    return forms.TypedChoiceField(required=False, choices=BOOL_CHOICES, coerce=_bool, empty_value=None, **kwargs)


# (title, field names) in the order the page shows them.
FIELDSETS = [
    ("Run", ["name", "dataset", "architecture", "queue", "epochs", "batch_size", "seed"]),
    ("Schedule and reporting", ["steps_per_epoch", "log_every", "eval_images", "grid_per_class", "balanced",
                                "distinct_forms", "mixed_precision"]),
    ("Model", ["latent_dim", "conditional", "batch_norm", "g_width", "d_width", "activation", "d_pretrain_steps"]),
    ("Loss", ["loss", "label_smoothing", "aux_weight", "ema", "update"]),
    ("Optimizers", ["g_optimizer_name", "g_learning_rate", "g_beta_1", "d_optimizer_name", "d_learning_rate",
                    "d_beta_1", "lr_decay_start"]),
    ("More options", ["extra_options"]),
]  # fmt: skip
# Form fields that are options of the trainer under the same name.
PLAIN_OPTIONS = [
    "epochs", "batch_size", "seed", "steps_per_epoch", "log_every", "eval_images", "grid_per_class", "balanced",
    "distinct_forms", "mixed_precision", "latent_dim", "conditional", "batch_norm", "g_width", "d_width", "activation",
    "d_pretrain_steps", "loss", "label_smoothing", "aux_weight", "update", "lr_decay_start",
]  # fmt: skip


class DatasetChoiceField(forms.ModelChoiceField):
    """Says what each dataset is, so a test-only or hand-entered row is not mistaken for real data."""

    def label_from_instance(self, dataset):
        if dataset.name == FIXTURE:
            return f"{dataset.name}: tiny synthetic test set, not real handwriting"
        if not dataset.source_format:
            return f"{dataset.name} ({dataset.charset}; entered by hand, not imported)"
        return f"{dataset.name} ({dataset.charset}, {dataset.total_examples:,} examples)"


class NewTrainingRunForm(forms.Form):
    name = forms.CharField(required=False, max_length=120, help_text="Optional label shown in lists.")
    dataset = DatasetChoiceField(queryset=Dataset.objects.all(), empty_label="(choose a dataset)",
                                 help_text="What the run learns from.")
    architecture = forms.ChoiceField(choices=[(name, name) for name in catalog.names()], initial="cgan-strong")
    queue = forms.ChoiceField(
        choices=WorkQueue.choices, initial=WorkQueue.GPU, help_text="Celery queue; GPU workers listen on 'gpu'."
    )
    epochs = _int(required=True, min_value=1, max_value=10_000, initial=10)
    batch_size = _int(min_value=1, max_value=65_536)
    seed = _int(required=True, min_value=0, max_value=MAX_SEED, initial=0,
                help_text="Same seed, same data order, noise and initial weights.")  # fmt: skip
    steps_per_epoch = _int(min_value=1, help_text="Blank: one pass over the training set.")
    log_every = _int(min_value=1, help_text="Steps between progress reports and cancellation checks.")
    eval_images = _int(min_value=0, help_text="Images scored after each epoch (0: no per-epoch quality metrics).")
    grid_per_class = _int(min_value=1, max_value=32, help_text="Samples per class in each epoch's grid.")
    balanced = _tristate(help_text="Draw every class equally often.")
    distinct_forms = _tristate(help_text="Case-aware letters only: train I on barred capitals and i on dotted "
                                         "small letters, so neither passes for l.")
    mixed_precision = _tristate(help_text="bfloat16 compute: GPU hosts, and CPUs with AMX (about 2x here).")
    latent_dim = _int(min_value=1, max_value=4096)
    conditional = _tristate()
    batch_norm = _tristate()
    g_width = _int(min_value=4, max_value=1024, help_text="cgan-strong: generator channels.")
    d_width = _int(min_value=4, max_value=1024, help_text="cgan-strong: discriminator channels.")
    activation = _choice(("tanh", "leaky_relu"), help_text="cgan-seed only.")
    d_pretrain_steps = _int(min_value=0, help_text="upsample-gan only: discriminator steps before training.")
    loss = _choice(LOSSES)
    update = _choice(UPDATES, help_text="alternating: D then G on fresh noise (the seeds' way); "
                                        "simultaneous: one forward pass serves both updates, about 1.3x faster.")
    label_smoothing = _float(min_value=0)
    aux_weight = _float(min_value=0, help_text="Auxiliary classifier loss weight (cgan-strong).")
    ema = forms.CharField(
        required=False, max_length=20, label="EMA decay", help_text="Decay of G's weight average in (0, 1), or 'off'."
    )
    g_optimizer_name = _choice(OPTIMIZERS, label="G optimizer")
    g_learning_rate = _float(label="G learning rate")
    g_beta_1 = _float(label="G beta 1")
    d_optimizer_name = _choice(OPTIMIZERS, label="D optimizer")
    d_learning_rate = _float(label="D learning rate")
    d_beta_1 = _float(label="D beta 1")
    lr_decay_start = _float(min_value=0, max_value=0.99, label="LR decay start",
                            help_text="Fraction of the run after which both learning rates fall linearly to 0 "
                                      "(e.g. 0.5). Blank: constant rates.")
    extra_options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text='Any other trainer option as a JSON object, e.g. {"g_optimizer": {"beta_2": 0.99}}.',
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("dataset"):
            self.initial["dataset"] = default_training_dataset()

    def clean_ema(self):
        value = self.cleaned_data["ema"].strip().lower()
        if value in ("", "default"):
            return ""
        if value in ("off", "none", "null"):
            return None
        try:
            return float(value)
        except ValueError:
            raise forms.ValidationError("Enter a decay such as 0.999, or 'off'.") from None

    def clean_extra_options(self):
        text = self.cleaned_data["extra_options"].strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(f"Not valid JSON: {error}.") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("Write a JSON object, e.g. {\"log_every\": 10}.")
        for key in ("dataset", "data_root", "architecture"):
            if key in value:
                raise forms.ValidationError(f"Choose '{key}' with its own field, not here.")
        return value

    def trainer_options(self):
        """The options the admin set (blank fields left out: the architecture decides)."""
        data = self.cleaned_data
        options = {key: data[key] for key in PLAIN_OPTIONS if data.get(key) not in (None, "")}
        if data.get("ema") != "":
            options["ema"] = data.get("ema")
        for side in ("g", "d"):
            given = {key: data.get(f"{side}_{field}") for key, field in OPTIMIZER_FIELDS.items()}
            given = {key: value for key, value in given.items() if value not in (None, "")}
            if given:
                options[f"{side}_optimizer"] = given
        for key, value in (data.get("extra_options") or {}).items():
            if isinstance(value, dict) and isinstance(options.get(key), dict):
                options[key] = {**options[key], **value}
            else:
                options[key] = value
        return options

    def clean(self):
        data = super().clean()
        if self.errors or not data.get("dataset") or not data.get("architecture"):
            return data
        try:
            data["config"] = build_training_config(
                dataset=data["dataset"], architecture=data["architecture"], options=self.trainer_options()
            )
        except ConfigError as error:
            for problem in str(error).split("; "):
                self.add_error(self._field_for(problem), problem)
        return data

    def _field_for(self, problem):
        """The form field a message of validate_config is about (None: the whole form)."""
        key = problem.split(" ", 1)[0]
        side, _, sub = key.partition("_optimizer.")
        if sub in OPTIMIZER_FIELDS and side in ("g", "d"):
            field = f"{side}_{OPTIMIZER_FIELDS[sub]}"
        elif key in ("g_optimizer", "d_optimizer"):
            field = f"{key[0]}_optimizer_name"
        elif key in self.fields:
            field = key
        else:
            return "extra_options" if self.cleaned_data.get("extra_options") else None
        value = self.cleaned_data.get(field, self.data.get(field))
        if value in (None, "") and self.cleaned_data.get("extra_options"):
            return "extra_options"  # the bad value came from the JSON box
        return field

    @classmethod
    def initial_from_options(cls, *, architecture, options):
        """Form initial values for a clone: only what differs from the architecture's defaults."""
        defaults = defaults_by_architecture().get(architecture, {})
        initial, extra = {}, {}
        always = {"epochs", "seed", "batch_size", "steps_per_epoch"}
        for key, value in options.items():
            if key not in always and defaults.get(key) == value:
                continue
            if key in PLAIN_OPTIONS:
                initial[key] = {True: "true", False: "false"}.get(value, value) if isinstance(value, bool) else value
            elif key == "ema":
                initial["ema"] = "off" if value is None else value
            elif key in ("g_optimizer", "d_optimizer") and isinstance(value, dict):
                rest = {}
                for sub, sub_value in value.items():
                    if sub in OPTIMIZER_FIELDS:
                        initial[f"{key[0]}_{OPTIMIZER_FIELDS[sub]}"] = sub_value
                    else:
                        rest[sub] = sub_value
                if rest:
                    extra[key] = rest
            else:
                extra[key] = value
        if extra:
            initial["extra_options"] = json.dumps(extra)
        return initial

    @staticmethod
    def page_data():
        """What the page's script needs: defaults and description per architecture,
        and which option rows belong to which architecture."""
        return {
            "defaults": defaults_by_architecture(),
            "descriptions": {name: catalog.ARCHITECTURES[name]["description"] for name in catalog.names()},
            "specific": {name: architecture_options(name) for name in catalog.names()},
        }

    def fieldsets(self):
        return [(title, [self[name] for name in names]) for title, names in FIELDSETS]
