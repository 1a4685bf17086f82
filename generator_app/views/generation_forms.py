"""The Generate form: input shape only; the service decides what may be written."""

from django import forms

from generator_app.models import MAX_TEXT_LENGTH
from generator_app.models.validators import MAX_SEED
from generator_app.services.generation import OPTION_LIMITS
from ml.render import RenderOptions

DEFAULTS = RenderOptions()
OPTION_FIELDS = ("width", "char_size", "letter_spacing", "line_spacing", "slant", "jitter", "ink", "background")


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
    width = forms.IntegerField(
        min_value=OPTION_LIMITS["width"][0], max_value=OPTION_LIMITS["width"][1], initial=DEFAULTS.width,
        label="Image width (px)", help_text="Lines wrap at word boundaries to fit.",
    )  # fmt: skip
    char_size = forms.IntegerField(
        min_value=OPTION_LIMITS["char_size"][0], max_value=OPTION_LIMITS["char_size"][1],
        initial=DEFAULTS.char_size, label="Character size (px)",
    )  # fmt: skip
    letter_spacing = forms.FloatField(min_value=-0.5, max_value=2.0, initial=DEFAULTS.letter_spacing,
                                      label="Letter spacing", widget=forms.NumberInput(attrs={"step": "0.01"}))  # fmt: skip
    line_spacing = forms.FloatField(min_value=0.5, max_value=5.0, initial=DEFAULTS.line_spacing,
                                    label="Line spacing", widget=forms.NumberInput(attrs={"step": "0.05"}))  # fmt: skip
    slant = forms.FloatField(min_value=-45, max_value=45, initial=DEFAULTS.slant, label="Slant (degrees)",
                             widget=forms.NumberInput(attrs={"step": "1"}))  # fmt: skip
    jitter = forms.FloatField(min_value=0, max_value=1, initial=DEFAULTS.jitter, label="Jitter (0–1)",
                              widget=forms.NumberInput(attrs={"step": "0.05"}))  # fmt: skip
    ink = forms.CharField(initial=DEFAULTS.ink, label="Ink colour", widget=forms.TextInput(attrs={"type": "color"}))
    background = forms.ChoiceField(
        choices=[("white", "White"), ("transparent", "Transparent")], initial=DEFAULTS.background
    )

    def __init__(self, *args, hands=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hand"].choices = [("", "Default hand")] + [(str(h.pk), h.name) for h in hands]

    def options(self):
        return {name: self.cleaned_data[name] for name in OPTION_FIELDS if self.cleaned_data.get(name) is not None}
