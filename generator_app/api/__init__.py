"""The REST API (DRF), one module per resource: its serializers and its viewset.

``datasets``, ``runs`` (with ``run_serializers``), ``generations`` (with ``generation_schema``),
``exports``, ``usefulness`` (scores) and ``sweeps``; ``urls`` routes them. Shared by all:
``errors`` (the exception handler), ``pagination``, ``parsers`` and ``schema`` (OpenAPI hooks).
"""
