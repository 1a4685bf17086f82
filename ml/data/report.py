"""Class balance of a dataset, for the admin's report and the import command's summary.

A GAN trained on an imbalanced set draws rare characters worse; the report says
whether to switch on balanced sampling (``cfg["balanced"]``).
"""

from __future__ import annotations

NEAR_BALANCED_RATIO = 1.5  # MNIST's train split is 1.24; the EMNIST letters pool is about 5.2


def balance_report(histogram: dict[str, int]) -> dict:
    """{verdict, ratio (largest/smallest class), smallest, largest, empty classes, shares}."""
    counts = {str(k): int(v) for k, v in histogram.items()}
    total = sum(counts.values())
    if not counts or total == 0:
        return {"verdict": "empty", "ratio": None, "total": 0, "classes": len(counts), "smallest": None,
                "largest": None, "empty": sorted(counts), "shares": {}}
    present = {k: v for k, v in counts.items() if v > 0}
    smallest = min(present, key=present.get)
    largest = max(present, key=present.get)
    ratio = present[largest] / present[smallest]
    empty = [k for k, v in counts.items() if v == 0]
    if empty:
        verdict = "missing classes"
    elif ratio <= NEAR_BALANCED_RATIO:
        verdict = "near balanced"
    else:
        verdict = "imbalanced"
    return {"verdict": verdict, "ratio": round(ratio, 3), "total": total, "classes": len(counts),
            "smallest": [smallest, present[smallest]], "largest": [largest, present[largest]],
            "empty": empty, "shares": {k: v / total for k, v in counts.items()}}


def advice(report: dict) -> str:
    if report["verdict"] == "near balanced":
        return f"near balanced (largest/smallest class = {report['ratio']:.2f})"
    if report["verdict"] == "imbalanced":
        return (f"imbalanced: {report['largest'][0]!r} has {report['ratio']:.1f}x the images of "
                f"{report['smallest'][0]!r}; consider balanced sampling")
    if report["verdict"] == "missing classes":
        return f"classes without images: {', '.join(report['empty'])}"
    return "no images"
