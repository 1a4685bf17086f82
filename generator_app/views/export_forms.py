"""The "Export a dataset" form: shape only; the counts' limits are the service's (one rule for page and API)."""

from django import forms

from generator_app.models import Dataset, ExportFormat, GeneratorModel
from ml.export.plan import MAX_TOTAL_IMAGES


class ExportForm(forms.Form):
    generator = forms.ModelChoiceField(queryset=GeneratorModel.objects.order_by("charset", "name"),
                                       to_field_name="name", empty_label=None)
    data_format = forms.ChoiceField(label="Format", choices=ExportFormat.choices, initial=ExportFormat.IDX)
    per_class = forms.IntegerField(label="Images per class", required=False, initial=1000,
                                   help_text=f"Every class the same; at most {MAX_TOTAL_IMAGES:,} images in all.")
    proportions_from = forms.ModelChoiceField(
        label="Or copy the class proportions of", queryset=Dataset.objects.order_by("name"), required=False,
        help_text="Its training split's class counts, scaled to the total below (leave images per class empty).",
    )  # fmt: skip
    total = forms.IntegerField(label="Total images", required=False)
    seed = forms.IntegerField(initial=0, min_value=0, help_text="Same seed, same file, byte for byte.")
    reject = forms.BooleanField(label="Redraw glyphs the evaluator misreads", required=False)
