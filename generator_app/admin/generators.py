from django.contrib import admin

from generator_app.models import GeneratorModel


@admin.register(GeneratorModel)
class GeneratorModelAdmin(admin.ModelAdmin):
    list_display = ["name", "charset", "architecture", "is_default", "source", "weights_size", "created_at"]
    list_filter = ["charset", "is_default", "architecture"]
    search_fields = ["name", "architecture", "weights_sha256"]
    list_select_related = ["run"]
    readonly_fields = ["source", "weights_size", "weights_sha256", "created_at"]
    raw_id_fields = ["run"]

    @admin.display(description="source")
    def source(self, generator):
        if generator.run_id is None:
            return "shipped with HandGen"
        if generator.is_pretrained:
            return f"shipped with HandGen (training record: run {generator.run_id})"
        return f"run {generator.run_id}"

    @admin.display(description="weights size")
    def weights_size(self, generator):
        try:
            return f"{generator.weights.size / 1e6:.1f} MB" if generator.weights else "—"
        except OSError:
            return "file missing"
