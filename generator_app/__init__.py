"""HandGen's web application: data model, admin, API, pages and Celery tasks."""
