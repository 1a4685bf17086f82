"""Which charts the run and compare pages draw, as data the page script reads.

Kept on the server so the page, its script and the tests agree on one list; the script
(static/js/run_charts.js) only draws what it is given.
"""

# Training dynamics: drawn per step (from EpochMetric.step_series) or per epoch.
DYNAMICS_CHARTS = [
    {
        "id": "loss",
        "title": "Losses",
        "series": [
            {"key": "d_loss", "label": "D loss"},
            {"key": "g_loss", "label": "G loss"},
            {"key": "d_aux_loss", "label": "D aux loss"},
            {"key": "g_aux_loss", "label": "G aux loss"},
        ],
    },
    {
        "id": "d_acc",
        "title": "Discriminator accuracy",
        "help": "Share of real images D calls real, and of generated images it calls fake.",
        "range": [0, 1],
        "series": [
            {"key": "d_acc_real", "label": "on real"},
            {"key": "d_acc_fake", "label": "on fake"},
        ],
    },
    {
        "id": "g_grad",
        "title": "Generator gradient",
        "help": "Mean and spread of |gradient| over G's weights: near zero means G has stopped learning.",
        "series": [
            {"key": "g_grad_mean", "label": "mean"},
            {"key": "g_grad_std", "label": "std"},
        ],
    },
]

EPOCH_ONLY_CHARTS = [
    {
        "id": "speed",
        "title": "Throughput",
        "series": [{"key": "images_per_second", "label": "images / s"}],
    },
]

# Quality metrics per epoch, each against its real-data reference line.
QUALITY_METRICS = [
    {"key": "cond_acc", "title": "Conditioning accuracy", "range": [0, 1], "best": "higher",
     "help": "Share of generated glyphs the evaluator reads as the class that was asked for."},
    {"key": "cond_acc_min_class", "title": "Weakest class accuracy", "range": [0, 1], "best": "higher",
     "help": "Conditioning accuracy of the class drawn worst."},
    {"key": "is", "title": "Inception score (IS)", "best": "higher",
     "help": "Sharp and varied reads by the evaluator; at most the number of classes."},
    {"key": "bcis", "title": "Between-class IS", "best": "higher",
     "help": "How distinct the classes are from each other."},
    {"key": "wcis", "title": "Within-class IS", "best": "lower",
     "help": "Spread of reads inside one class: 1 when every glyph of a class reads alike."},
    {"key": "fid", "title": "FID (evaluator features)", "best": "lower",
     "help": "Distance to real handwriting in the evaluator's feature space; per epoch on 1,000 images."},
]  # fmt: skip

QUALITY_KEYS = [metric["key"] for metric in QUALITY_METRICS]

# What the compare page overlays: one chart per key, one line per run.
COMPARE_METRICS = [
    {"key": "d_loss", "title": "D loss"},
    {"key": "g_loss", "title": "G loss"},
    {"key": "d_acc_real", "title": "D accuracy on real", "range": [0, 1]},
    {"key": "d_acc_fake", "title": "D accuracy on fake", "range": [0, 1]},
    {"key": "g_grad_mean", "title": "G gradient mean"},
    *QUALITY_METRICS,
]


def run_page_charts(*, reference):
    """The chart specs of a run page; ``reference`` is {metric: real-data value}."""
    quality = [
        {
            "id": f"q_{metric['key']}",
            "title": metric["title"],
            "help": metric["help"],
            "range": metric.get("range"),
            "best": metric["best"],
            "series": [{"key": metric["key"], "label": "this run"}],
            "reference": reference.get(metric["key"]),
        }
        for metric in QUALITY_METRICS
    ]
    return {"dynamics": DYNAMICS_CHARTS, "epoch_only": EPOCH_ONLY_CHARTS, "quality": quality}


def compare_charts(*, reference):
    return [{**metric, "reference": reference.get(metric["key"])} for metric in COMPARE_METRICS]
