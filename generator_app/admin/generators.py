from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from generator_app.models import GeneratorModel
from generator_app.selectors.exports import latest_usefulness, usefulness_rows
from generator_app.services.usefulness import request_usefulness_score


@admin.register(GeneratorModel)
class GeneratorModelAdmin(admin.ModelAdmin):
    list_display = ["name", "charset", "architecture", "is_default", "source", "weights_size", "created_at"]
    list_filter = ["charset", "is_default", "architecture"]
    search_fields = ["name", "architecture", "weights_sha256"]
    list_select_related = ["run"]
    readonly_fields = ["source", "weights_size", "weights_sha256", "usefulness", "created_at"]
    raw_id_fields = ["run"]
    actions = ["compute_usefulness"]

    @admin.action(description="Compute the usefulness score (CAS) of the selected generators")
    def compute_usefulness(self, request, queryset):
        for generator in queryset:
            try:
                request_usefulness_score(generator=generator, requested_by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{generator.name}: {'; '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{generator.name}: usefulness score queued (a few minutes).")

    @admin.display(description="usefulness (CAS)")
    def usefulness(self, generator):
        score = latest_usefulness(generator=generator)
        if score is None:
            pending = generator.usefulness_scores.exclude(status__in=["succeeded"]).first()
            if pending is not None and pending.status == "failed":
                return f"last request failed: {pending.error_message}"
            if pending is not None:
                return f"{pending.status} ({pending.progress:.0%})"
            return "not measured: use the action “Compute the usefulness score” on the list"
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
                                ((r["title"], f"{r['train_images']:,}", f"{r['accuracy']:.4f}",
                                  f"{r['accuracy_balanced']:.4f}") for r in usefulness_rows(score)))
        return format_html("<table><tr><th>classifier</th><th>train images</th><th>real test accuracy</th>"
                           "<th>class-balanced</th></tr>{}</table><p>{} real test images, seed {}, {}</p>",
                           rows, f"{score.result.get('real_test_images', 0):,}", score.config.get("seed"),
                           score.finished_at.strftime("%Y-%m-%d %H:%M"))

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
