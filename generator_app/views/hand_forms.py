"""Forms of the hand pages: input shape only; the services decide."""

from django import forms

from generator_app.models import MAX_SHEET_BYTES


class HandNameForm(forms.Form):
    name = forms.CharField(max_length=80, label="Name")


class SheetUploadForm(forms.Form):
    image = forms.FileField(label="Photo or scan of the filled-in sheet",
                            help_text=f"JPEG or PNG, at most {MAX_SHEET_BYTES // (1024 * 1024)} MB.",
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))
