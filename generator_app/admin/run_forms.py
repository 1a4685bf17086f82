"""The admin's "New training run" form: one field per trainer option, built from ml's schema.

Each option field takes its type, range or choices, label and help from
``ml.train.schema``, so the form cannot disagree with the trainer. A blank option means
"the architecture's default" (the page shows each default as the field's placeholder).
``clean`` builds the config once through ``build_training_config`` and puts each
problem next to the field its key names, so a bad value is a form error and nothing is
queued.
"""

import json

from django import forms
from django.core.exceptions import ValidationError

from generator_app.models import Dataset, WorkQueue
from generator_app.selectors.datasets import default_training_dataset
from generator_app.services.run_config import (
    FIXTURE,
    architecture_options,
    build_training_config,
    defaults_by_architecture,
)
from ml.models import catalog
from ml.train import schema
from ml.train.config import ConfigError

DEFAULT = ("", "architecture default")
BOOL_CHOICES = [DEFAULT, ("true", "yes"), ("false", "no")]
# Optimizer settings with a field of their own: {setting: field name after "g_" or "d_"}.
OPTIMIZER_FIELDS = {"name": "optimizer_name", "learning_rate": "learning_rate", "beta_1": "beta_1"}
# Options with a field of their own below; every other non-optimizer option is a plain field.
OWN_FIELDS = ("architecture", "dataset", "data_root", "ema")
# Options the run form requires (the rest may stay blank and take the architecture's default).
REQUIRED = ("epochs", "seed")
# Error keys that name an option the form sets through another field.
FIELD_FOR_KEY = {"data_root": "dataset", "g_optimizer": "g_optimizer_name", "d_optimizer": "d_optimizer_name"}


def _bool(value):
    return {"true": True, "false": False}.get(value)


def _checked_by(option, name):
    """The schema's own check as a field validator, so a field error reads like ml's."""

    def check(value):
        if not option.accepts(value):
            raise ValidationError(option.message(name))

    return check


def _number_attrs(option):
    """Browser-side bounds where the schema's are inclusive (an open bound has no HTML form)."""
    attrs = {}
    if option.low is not None and not option.low_open:
        attrs["min"] = option.low
    if option.high is not None and not option.high_open:
        attrs["max"] = option.high
    return attrs


def option_field(option, *, name=None, label=None):
    """The form field of one schema option (``name``: its dotted name for an optimizer setting)."""
    name = name or option.name
    required = option.name in REQUIRED and "." not in name
    common = {"required": required, "label": label or option.label or None, "help_text": option.help}
    if required:
        common["initial"] = option.default
    if option.kind in ("int", "float"):
        field_class = forms.IntegerField if option.kind == "int" else forms.FloatField
        return field_class(validators=[_checked_by(option, name)],
                           widget=forms.NumberInput(attrs=_number_attrs(option)), **common)  # fmt: skip
    if option.kind == "bool":
        return forms.TypedChoiceField(choices=BOOL_CHOICES, coerce=_bool, empty_value=None, **common)
    if option.kind == "choice":
        return forms.ChoiceField(choices=[DEFAULT, *((value, value) for value in option.choices)], **common)
    raise ValueError(f"option {name}: no form field for kind {option.kind!r}")


PLAIN_OPTIONS = [o.name for o in schema.OPTIONS if o.kind != "optimizer" and o.name not in OWN_FIELDS]


def _schema_fields():
    """{form field name: field} for every plain option and every optimizer setting with a field."""
    fields = {name: option_field(schema.option(name)) for name in PLAIN_OPTIONS}
    for side in ("g", "d"):
        for setting, field in OPTIMIZER_FIELDS.items():
            dotted = f"{side}_optimizer.{setting}"
            option = schema.option(dotted)
            fields[f"{side}_{field}"] = option_field(option, name=dotted, label=f"{side.upper()} {option.label}")
    return fields


# The option fields as a base class, so the run form and the sweep form inherit them as declared fields.
OptionFields = type("OptionFields", (forms.Form,), _schema_fields())

# (title, field names) in the order the page shows them; a field listed nowhere goes to the last one.
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


def fieldsets_with_every_option(fieldsets):
    """``fieldsets`` with any option field they leave out added to the last one, so that a new
    option of the schema shows on the page without a change here."""
    placed = {name for _, names in fieldsets for name in names}
    missing = [name for name in OptionFields.base_fields if name not in placed]
    if not missing:
        return fieldsets
    *rest, (title, names) = fieldsets
    return [*rest, (title, [*missing, *names])]


class DatasetChoiceField(forms.ModelChoiceField):
    """Says what each dataset is, so a test-only or hand-entered row is not mistaken for real data."""

    def label_from_instance(self, dataset):
        if dataset.name == FIXTURE:
            return f"{dataset.name}: tiny synthetic test set, not real handwriting"
        if not dataset.source_format:
            return f"{dataset.name} ({dataset.charset}; entered by hand, not imported)"
        return f"{dataset.name} ({dataset.charset}, {dataset.total_examples:,} examples)"


class NewTrainingRunForm(OptionFields):
    name = forms.CharField(required=False, max_length=120, help_text="Optional label shown in lists.")
    dataset = DatasetChoiceField(queryset=Dataset.objects.all(), empty_label="(choose a dataset)",
                                 help_text="What the run learns from.")
    architecture = forms.ChoiceField(choices=[(name, name) for name in schema.ARCHITECTURE.choices],
                                     initial=schema.ARCHITECTURE.default, help_text=schema.ARCHITECTURE.help)
    queue = forms.ChoiceField(
        choices=WorkQueue.choices, initial=WorkQueue.GPU, help_text="Celery queue; GPU workers listen on 'gpu'."
    )
    # Blank is the architecture's default, which may be a decay: "off" is how a person asks for none.
    ema = forms.CharField(required=False, max_length=20, label=schema.option("ema").label,
                          help_text=f"{schema.option('ema').help} Here 'off' stands for null.")
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
            value = float(value)
        except ValueError:
            raise forms.ValidationError("Enter a decay such as 0.999, or 'off'.") from None
        _checked_by(schema.option("ema"), "ema")(value)
        return value

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
            for key, message in error.errors.items():
                self.add_error(self._field_for(key), message)
        return data

    def _field_for(self, key):
        """The form field an error key of ml is about (None: the whole form).

        A problem with an option the admin left blank came from the JSON box, when it is filled in.
        """
        side, _, setting = key.partition("_optimizer.")
        if side in ("g", "d") and setting in OPTIMIZER_FIELDS:
            field = f"{side}_{OPTIMIZER_FIELDS[setting]}"
        else:
            field = FIELD_FOR_KEY.get(key, key)
        extra = bool(self.cleaned_data.get("extra_options"))
        if field not in self.fields:
            return "extra_options" if extra else None
        if extra and self.cleaned_data.get(field, self.data.get(field)) in (None, ""):
            return "extra_options"
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
        return [(title, [self[name] for name in names]) for title, names in fieldsets_with_every_option(FIELDSETS)]
