"""Reads for dataset exports and usefulness scores: what a user may see, what a page shows."""

from generator_app.models import DatasetExport, GeneratorModel, JobStatus, UsefulnessScore


def export_list_for_user(*, user):
    """The user's own exports, newest first (staff see only theirs too: exports are personal files)."""
    return DatasetExport.objects.filter(owner=user).select_related("generator").order_by("-created_at")


def latest_usefulness(*, generator: GeneratorModel):
    """The newest succeeded usefulness score of ``generator``, or None."""
    return UsefulnessScore.objects.latest_for(generator)


def usefulness_rows(score) -> list[dict]:
    """The three CAS rows of a score in display order, each with a title; [] without a result."""
    if score is None or score.status != JobStatus.SUCCEEDED:
        return []
    titles = (("generated", "Trained on generated images only (CAS)"),
              ("real", "Trained on as many real images"),
              ("real_plus_generated", "Trained on real + generated"))
    return [{"key": key, "title": title, **score.row(key)} for key, title in titles if score.row(key)]


def usefulness_for_run(*, run) -> list[dict]:
    """For each generator a run published: its latest usefulness score and the rows to show."""
    out = []
    for generator in run.generators.all():
        score = latest_usefulness(generator=generator)
        out.append({"generator": generator, "score": score, "rows": usefulness_rows(score)})
    return out
