"""URLs of the pages; the API has its own in generator_app.api.urls."""

from django.urls import path

from generator_app.views import accounts, exports, generations, hands, media, pages, runs, sweeps

urlpatterns = [
    path("", pages.landing, name="landing"),
    path("generate/", generations.generate, name="generate"),
    path("generations/", generations.my_generations, name="my_generations"),
    path("generations/<uuid:pk>/image.png", generations.image_png, name="generation_image"),
    path("generations/<uuid:pk>/image.svg", generations.image_svg, name="generation_svg"),
    path("generations/<uuid:pk>/thumb.png", generations.image_thumbnail, name="generation_thumbnail"),
    path("generations/<uuid:pk>/image.pdf", generations.image_pdf, name="generation_pdf"),
    path("generations/<uuid:pk>/glyphs/", generations.glyph_debug, name="generation_glyphs"),
    path("generations/<uuid:pk>/delete/", generations.delete, name="generation_delete"),
    path("exports/", exports.exports_page, name="exports"),
    path("runs/", runs.run_list_page, name="runs"),
    path("runs/compare/", runs.run_compare_page, name="run_compare"),
    path("runs/<int:pk>/", runs.run_detail_page, name="run_detail"),
    path("runs/<int:pk>/training.gif", runs.run_training_gif, name="run_training_gif"),
    path("runs/<int:pk>/export/epochs.csv", runs.run_epochs_csv, name="run_epochs_csv"),
    path("runs/<int:pk>/export/steps.csv", runs.run_steps_csv, name="run_steps_csv"),
    path("runs/<int:pk>/export/tensorboard.zip", runs.run_tensorboard_zip, name="run_tensorboard_zip"),
    path("sweeps/", sweeps.sweep_list_page, name="sweeps"),
    path("sweeps/<int:pk>/", sweeps.sweep_detail_page, name="sweep_detail"),
    path("sweeps/<int:pk>/publish-best/", sweeps.sweep_publish_best, name="sweep_publish_best"),
    path("runs/samples/<int:pk>.png", media.sample_grid_image, name="sample_grid_image"),
    path("hands/", hands.hand_list, name="hands"),
    path("hands/template.pdf", hands.template, name="hand_template"),
    path("hands/<uuid:pk>/", hands.hand_detail, name="hand_detail"),
    path("hands/<uuid:pk>/upload/", hands.upload_sheet, name="hand_upload"),  # the one upload route: 20 MB
    path("hands/<uuid:pk>/glyphs/<int:glyph_id>/", hands.toggle_glyph, name="hand_glyph"),
    path("hands/<uuid:pk>/learn/", hands.learn, name="hand_learn"),
    path("hands/<uuid:pk>/cancel/", hands.cancel, name="hand_cancel"),
    path("hands/<uuid:pk>/rename/", hands.rename, name="hand_rename"),
    path("hands/<uuid:pk>/delete/", hands.delete, name="hand_delete"),
    path("accounts/signup/", accounts.signup, name="signup"),
]
