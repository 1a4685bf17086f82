"""The admin's "New sweep" form: the run form's base config plus the search, its objective and budget.

Every trainer option of the run form is the sweep's base config (a blank option takes
the architecture's default, as for a run). The search space is JSON, one entry per
parameter; a bad range, an unknown option or a value ml would reject is a form error
naming the parameter, and nothing is stored.
"""

import json

from django import forms

from generator_app.models import Direction, PrunerKind, SamplerKind
from generator_app.models.sweep_objectives import OBJECTIVES, objective_choices
from generator_app.models.sweep_space import SearchSpaceError
from generator_app.models.validators import MAX_SEED
from generator_app.services.sweep_config import check_sweep_config
from ml.train.config import ConfigError

from .run_forms import FIELDSETS, NewTrainingRunForm, fieldsets_with_every_option

SPACE_EXAMPLE = (
    '{"g_optimizer.learning_rate": {"type": "float", "low": 1e-4, "high": 1e-3, "log": true},\n'
    ' "aux_weight": {"type": "choice", "values": [0.3, 1.0]},\n'
    ' "g_width": {"type": "int", "low": 16, "high": 64, "step": 16}}'
)
SWEEP_FIELDSETS = [
    ("Search", ["search_space", "objective", "direction", "sampler", "sampler_seed", "n_trials", "parallelism",
                "base_trial"]),
    ("Pruning", ["pruner", "pruner_startup_trials", "pruner_warmup_epochs"]),
]  # fmt: skip


class NewSweepForm(NewTrainingRunForm):
    search_space = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="One entry per option (dotted for optimizer settings): choice (values), int or float "
                  "(low, high, optional log or step). E.g. " + SPACE_EXAMPLE,
    )  # fmt: skip
    objective = forms.ChoiceField(
        choices=objective_choices(), initial="cond_acc",
        help_text="Read at every epoch (pruning) and at the last one (the trial's result). All but the losses "
                  "need eval_images > 0 and an evaluator for the charset.",
    )  # fmt: skip
    direction = forms.ChoiceField(
        required=False, choices=[("", "the objective's own"), *Direction.choices],
        help_text="Blank: the direction shown with the objective.",
    )  # fmt: skip
    sampler = forms.ChoiceField(choices=SamplerKind.choices, initial=SamplerKind.TPE)
    sampler_seed = forms.IntegerField(min_value=0, max_value=MAX_SEED, initial=0,
                                      help_text="Same seed, same sequence of trials.")  # fmt: skip
    n_trials = forms.IntegerField(min_value=1, max_value=1000, initial=8, label="Trials")
    parallelism = forms.IntegerField(min_value=1, max_value=64, initial=2,
                                     help_text="Trials queued at once (run together on as many gpu workers).")  # fmt: skip
    base_trial = forms.BooleanField(required=False, initial=True,
                                    help_text="Trial 0 trains the base config itself (its values must lie in the space).")  # fmt: skip
    pruner = forms.ChoiceField(choices=PrunerKind.choices, initial=PrunerKind.MEDIAN)
    pruner_startup_trials = forms.IntegerField(min_value=0, max_value=1000, initial=2, label="Startup trials",
                                               help_text="Median: completed trials before anything is pruned.")  # fmt: skip
    pruner_warmup_epochs = forms.IntegerField(min_value=0, max_value=10_000, initial=0, label="Warm-up epochs",
                                              help_text="Epochs every trial runs before it may be pruned (0: from its first epoch on).")  # fmt: skip

    def clean_search_space(self):
        try:
            value = json.loads(self.cleaned_data["search_space"])
        except ValueError as error:
            raise forms.ValidationError(f"Not valid JSON: {error}.") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("Write a JSON object with one entry per parameter, e.g. " + SPACE_EXAMPLE)
        return value

    def clean(self):
        data = super().clean()
        if self.errors or "config" not in data:
            return data
        if not data.get("direction") and data.get("objective") in OBJECTIVES:
            data["direction"] = OBJECTIVES[data["objective"]].direction
        try:
            check_sweep_config(
                dataset=data["dataset"], architecture=data["architecture"], options=self.trainer_options(),
                search_space=data["search_space"], grid=data.get("sampler") == SamplerKind.GRID,
            )  # fmt: skip
        except SearchSpaceError as error:
            for problem in error.problems:
                self.add_error("search_space", problem)
        except ConfigError as error:
            for key, message in error.errors.items():
                self.add_error(self._field_for(key), message)
        return data

    def sweep_arguments(self):
        """Keyword arguments of ``create_sweep`` for a valid form."""
        data = self.cleaned_data
        return {
            "dataset": data["dataset"], "architecture": data["architecture"], "options": self.trainer_options(),
            "search_space": data["search_space"], "objective": data["objective"], "direction": data["direction"],
            "sampler": data["sampler"], "sampler_seed": data["sampler_seed"], "n_trials": data["n_trials"],
            "parallelism": data["parallelism"], "base_trial": data["base_trial"], "pruner": data["pruner"],
            "pruner_startup_trials": data["pruner_startup_trials"],
            "pruner_warmup_epochs": data["pruner_warmup_epochs"], "queue": data["queue"], "name": data["name"],
        }  # fmt: skip

    def fieldsets(self):
        base = [(title if title != "Run" else "Base config", names)
                for title, names in fieldsets_with_every_option(FIELDSETS)]
        return [(title, [self[name] for name in names]) for title, names in SWEEP_FIELDSETS + base]
