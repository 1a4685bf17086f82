"""The admin's "Upload a dataset (ZIP)" form: what to read and how; the service does the rest."""

import zipfile

from django import forms
from django.conf import settings

from generator_app.models.choices import DatasetFormat
from ml.data.charset import BUILTIN
from ml.data.importers import ImportOptions

UPLOAD_FORMATS = [
    (DatasetFormat.FOLDER, "My handwriting: one folder per character (e.g. a/1.png, a/2.jpg, B/1.png)"),
    (DatasetFormat.FONTS, "Font files (.ttf/.otf), each character rendered in each font"),
    (DatasetFormat.NOTMNIST, "notMNIST: A..J folders of PNGs (unreadable files skipped)"),
    (DatasetFormat.EXPORT, "A HandGen export (the ZIP a generator's dataset export made: IDX, NPZ or PNG)"),
]


def max_upload_bytes() -> int:
    return int(getattr(settings, "HANDGEN_MAX_DATASET_UPLOAD_BYTES", 512 * 1024**2))


class DatasetUploadForm(forms.Form):
    archive = forms.FileField(help_text="A ZIP archive. Pictures may be any size, dark-on-light or light-on-dark.")
    source_format = forms.ChoiceField(label="Contents", choices=UPLOAD_FORMATS, initial=DatasetFormat.FOLDER)
    name = forms.CharField(max_length=100, required=False, help_text="Unique; default: the ZIP's name.")
    charset = forms.ChoiceField(choices=[(n, n) for n in sorted(BUILTIN)], initial="letters-cased",
                                help_text="Fonts only: which characters to render.")
    variants = forms.IntegerField(min_value=1, max_value=64, initial=8,
                                  help_text="Fonts only: distorted renderings of each character in each font.")

    def clean_archive(self):
        upload = self.cleaned_data["archive"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(f"The file is {upload.size:,} bytes; at most {limit:,} are accepted.")
        upload.seek(0)
        if not zipfile.is_zipfile(upload):
            raise forms.ValidationError("This is not a ZIP archive.")
        upload.seek(0)
        return upload

    def import_options(self) -> ImportOptions:
        return ImportOptions(charset=self.cleaned_data["charset"], variants=self.cleaned_data["variants"])
