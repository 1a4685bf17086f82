from django.contrib import admin
from django.db import models

from generator_app.models import Dataset


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "charset", "total_examples", "run_count", "created_at"]
    list_filter = ["kind", "charset"]
    search_fields = ["name", "storage_path", "source_url"]
    readonly_fields = ["created_at", "total_examples", "run_count"]
    date_hierarchy = "created_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="examples")
    def total_examples(self, dataset):
        return dataset.total_examples

    @admin.display(description="runs")
    def run_count(self, dataset):
        return dataset.training_runs.count()
