"""The Generate form: input shape only; the service decides what may be written.

The option fields are built from ``ml.render.options.OPTION_SPECS``, the one place
their ranges and help live; this module only chooses labels and widgets.
"""

from django import forms

from generator_app.models import MAX_TEXT_LENGTH
from generator_app.models.validators import MAX_SEED
from ml.render import RenderOptions
from ml.render.options import BACKGROUNDS, OPTION_SPECS, USER_OPTIONS

DEFAULTS = RenderOptions()
OPTION_FIELDS = USER_OPTIONS
LABELS = {
    "width": "Image width (px)", "char_size": "Character size (px)", "letter_spacing": "Letter spacing",
    "word_spacing": "Word spacing", "line_spacing": "Line spacing", "slant": "Slant (degrees)",
    "pen_width": "Pen width", "uniform": "One pen for the page", "jitter": "Jitter (0–1)", "ink": "Ink colour",
    "background": "Background",
}  # fmt: skip
STEPS = {"letter_spacing": "0.01", "word_spacing": "0.05", "line_spacing": "0.05", "slant": "1",
         "pen_width": "0.01", "jitter": "0.05"}  # fmt: skip


def option_field(name: str) -> forms.Field:
    """A form field for one render option, with the range and help its spec gives."""
    spec, initial = OPTION_SPECS[name], getattr(DEFAULTS, name)
    # Not required: an option left out (or emptied) takes the renderer's default.
    common = {"label": LABELS.get(name, name), "help_text": spec.help, "initial": initial, "required": False}
    low, high = spec.web_range()
    if spec.kind == "int":
        return forms.IntegerField(min_value=low, max_value=high, **common)
    if spec.kind == "real":
        return forms.FloatField(min_value=low, max_value=high,
                                widget=forms.NumberInput(attrs={"step": STEPS.get(name, "any")}), **common)
    if spec.kind == "flag":
        return forms.BooleanField(**common)
    if spec.kind == "choice":
        return forms.ChoiceField(choices=[(b, b.capitalize()) for b in BACKGROUNDS], **common)
    return forms.CharField(widget=forms.TextInput(attrs={"type": "color"}), **common)


class GenerationForm(forms.Form):
    text = forms.CharField(
        # No maxlength: a browser would cut pasted text silently. The page's script refuses
        # over-long text with the API's own message before sending; the service checks again.
        widget=forms.Textarea(attrs={"rows": 5, "data-max-length": MAX_TEXT_LENGTH, "placeholder": "hello 2026"}),
        strip=False,
        required=False,  # an empty text gets the service's message, like the API
    )
    style_seed = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_SEED, label="Style seed",
        help_text="Same seed, same text: the same handwriting. Leave empty for a new hand.",
    )  # fmt: skip
    hand = forms.ChoiceField(required=False, label="Hand", choices=[("", "Default hand")],
                             help_text="Your own hands appear here once they have learned.")

    def __init__(self, *args, hands=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update({name: option_field(name) for name in OPTION_FIELDS})
        self.fields["hand"].choices = [("", "Default hand")] + [(str(h.pk), h.name) for h in hands]

    def options(self):
        return {name: self.cleaned_data[name] for name in OPTION_FIELDS if self.cleaned_data.get(name) is not None}
