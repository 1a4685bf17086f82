from django.contrib import admin

from generator_app.models import GenerationRequest


@admin.register(GenerationRequest)
class GenerationRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "text_preview", "status", "style_seed", "duration_ms", "created_at"]
    list_filter = ["status"]
    search_fields = ["id", "text", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user"]
    readonly_fields = ["id", "duration_ms", "created_at", "started_at", "finished_at"]

    @admin.display(description="text")
    def text_preview(self, request_):
        return request_.text if len(request_.text) <= 40 else request_.text[:39] + "…"

    @admin.display(description="total ms")
    def duration_ms(self, request_):
        return request_.duration_ms
