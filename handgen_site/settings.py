"""Settings, all read from the environment (django-environ).

Defaults need no external server: a SQLite file and Celery's filesystem broker under
``var/``. ``DATABASE_URL`` and ``REDIS_URL`` switch the same code to PostgreSQL and Redis.
``DEBUG=0`` turns on the production hardening that ``manage.py check --deploy`` expects;
the README lists the variables a deployment sets.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# pytest sets PYTEST_VERSION: tests then keep their database, broker folders and media
# under var/test, so a test run never touches the site a developer has running.
_default_var_dir = BASE_DIR / "var" / ("test" if "PYTEST_VERSION" in os.environ else "")
VAR_DIR = Path(env("HANDGEN_VAR_DIR", default=str(_default_var_dir))).resolve()

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-handgen-development-only-key-do-not-deploy")
else:
    SECRET_KEY = env("SECRET_KEY")  # required in production: ImproperlyConfigured when absent

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "axes",
    "generator_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Refuse an over-long body, or a NUL in the query, before anything reads or stores them.
    "handgen_site.request_guards.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view is marked @login_not_required
    # (landing, sign-in, sign-up). DRF views opt out and answer 401 themselves.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers 429 to a client locked out after failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "handgen_site.urls"
WSGI_APPLICATION = "handgen_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "generator_app.context_processors.site_flags",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
_sqlite_default = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db("DATABASE_URL", default=_sqlite_default)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # The web server and the worker write to the same file: wait for the lock rather
        # than fail, take it up front (no deadlock on upgrade), and let readers run in WAL.
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file (not :memory:) so that a Celery worker started by a test sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
# Persistent connections, SQLite included: opening one (connect, the pragmas above, the
# schema read) is a large part of a short API poll on a CPU shared with training, and the
# generation worker would pay it again for every request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: throttle counters, shared by every web process ---------------------------------
# Redis when configured, on its own database (REDIS_CACHE_URL, default: REDIS_URL's database
# + 1) so that clearing the cache never flushes the broker's queues. Without Redis, a table in
# the site's database (created by `migrate`, see generator_app.apps): a per-process memory
# cache would give each gunicorn worker its own throttle.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    from handgen_site.redis_urls import next_database_url

    REDIS_CACHE_URL = env("REDIS_CACHE_URL", default=next_database_url(REDIS_URL))
    _redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE_URL}
    CACHES = {"default": _redis_cache, "request_rates": _redis_cache}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "handgen_cache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
        # The per-user API rate (every call, polls included) without Redis: counted per
        # process, a ceiling against floods that costs no database write per request; the
        # budgets that must hold across processes (generation, sign-up, anonymous) use "default".
        "request_rates": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "request-rates"},
    }

# --- Auth -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes counts failed sign-ins (pages and admin) and refuses further tries for a while.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("HANDGEN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("HANDGEN_LOGIN_COOLOFF_MINUTES", default=15))
# Per user name and address: guessing one account's password is stopped without letting a
# stranger lock everyone out (behind a proxy every client shares its address).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "landing"
HANDGEN_ALLOW_SIGNUP = env.bool("HANDGEN_ALLOW_SIGNUP", default=False)

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------
STATIC_URL = "static/"
# Only production collects files; in DEBUG WhiteNoise serves from the source folders.
STATIC_ROOT = None if DEBUG else Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site root (/favicon.ico), served by WhiteNoise without a view.
WHITENOISE_ROOT = BASE_DIR / "public"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production serves hashed, compressed files collected by `collectstatic`; development
    # (and tests) serve straight from the source folders through WhiteNoise's finders.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Where the admin's "Download" button puts dataset releases (ml.data.download verifies them).
HANDGEN_DOWNLOAD_DIR = Path(env("HANDGEN_DOWNLOAD_DIR", default=str(VAR_DIR / "datasets")))
# Request bodies (handgen_site.request_guards): refused with 413 from the Content-Length header,
# before anything is read or spooled to disk. Only the admin's dataset upload, for staff,
# takes more: the dataset limit plus room for the form's other fields.
HANDGEN_MAX_REQUEST_BYTES = env.int("HANDGEN_MAX_REQUEST_BYTES", default=1024**2)
HANDGEN_MAX_DATASET_UPLOAD_BYTES = env.int("HANDGEN_MAX_DATASET_UPLOAD_BYTES", default=512 * 1024**2)
HANDGEN_LARGE_BODY_ROUTES = {"admin:generator_app_dataset_upload": HANDGEN_MAX_DATASET_UPLOAD_BYTES + 1024**2}
# A photographed handwriting sheet (20 MB, models.hand.MAX_SHEET_BYTES) plus the form's other
# fields: any signed-in user.
HANDGEN_SIGNED_IN_BODY_ROUTES = {"hand_upload": 21 * 1024**2}

# Where shipped generators live; `manage.py register_pretrained` reads their manifests.
HANDGEN_PRETRAINED_DIR = Path(env("HANDGEN_PRETRAINED_DIR", default=str(BASE_DIR / "ml" / "pretrained")))

# --- Production hardening (DEBUG=0) -------------------------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
        # Only behind a proxy that sets X-Forwarded-Proto and strips it from clients.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous API client gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "generator_app.api.pagination.CheckedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": [
        "generator_app.api.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every endpoint, present and future: anonymous clients per address, users per account.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "generator_app.throttles.UserRequestRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("HANDGEN_API_ANON_RATE", default="60/minute"),
        "user": env("HANDGEN_API_USER_RATE", default="600/minute"),
        # New generation requests per user (the page and the API share it).
        "generate": env("HANDGEN_GENERATE_RATE", default="30/minute"),
        # Sign-up form posts per address, while sign-up is open.
        "signup": env("HANDGEN_SIGNUP_RATE", default="10/hour"),
    },
    # Clients refused for missing or bad credentials count against the "anon" rate too.
    "EXCEPTION_HANDLER": "generator_app.api.errors.exception_handler",
    # Proxies in front of gunicorn that append to X-Forwarded-For (0: use the peer's address).
    "NUM_PROXIES": env.int("HANDGEN_NUM_PROXIES", default=0) or None,
}
# JSON request bodies nested deeper than this are refused (400) before they are parsed.
HANDGEN_MAX_JSON_DEPTH = env.int("HANDGEN_MAX_JSON_DEPTH", default=32)
SPECTACULAR_SETTINGS = {
    "TITLE": "HandGen API",
    "DESCRIPTION": "Datasets, training runs, their metrics and sample grids; generation requests.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Runs and generation requests both have a "status" field with different choices:
    # name each enum after its model so the schema has no generated "Status398Enum".
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "generator_app.models.choices.RunStatus",
        "GenerationStatusEnum": "generator_app.models.choices.GenerationStatus",
        "SweepStatusEnum": "generator_app.models.sweep.SweepStatus",
    },
    # Every operation documents the errors it can answer (400, 401, 404, 413, 429).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "generator_app.api.schema.document_error_responses",
    ],
}

# --- Training runs (generator_app/worker/run_*.py) -----------------------------------------
# A training task may run for a day; its own limits replace the short-task defaults below.
HANDGEN_TRAINING_SOFT_TIME_LIMIT = env.int("HANDGEN_TRAINING_SOFT_TIME_LIMIT", default=24 * 3600)
HANDGEN_TRAINING_TIME_LIMIT = env.int("HANDGEN_TRAINING_TIME_LIMIT", default=HANDGEN_TRAINING_SOFT_TIME_LIMIT + 600)
# A running run's worker writes heartbeat_at this often; a run silent for STALE seconds is
# presumed dead and re-queued (from its last checkpoint) up to MAX_RECOVERIES times.
HANDGEN_RUN_HEARTBEAT_SECONDS = env.float("HANDGEN_RUN_HEARTBEAT_SECONDS", default=10.0)
HANDGEN_RUN_STALE_SECONDS = env.float("HANDGEN_RUN_STALE_SECONDS", default=120.0)
HANDGEN_RUN_MAX_RECOVERIES = env.int("HANDGEN_RUN_MAX_RECOVERIES", default=3)
HANDGEN_RUN_RECOVERY_INTERVAL = env.float("HANDGEN_RUN_RECOVERY_INTERVAL", default=60.0)
# A queued run whose message was lost (Redis restarted without persistence, or the broker was
# down when the run was saved) is sent again by that same check once it has waited this long
# since it was last sent; a run waiting behind a long training gets one extra message per period.
HANDGEN_RUN_REDISPATCH_SECONDS = env.float("HANDGEN_RUN_REDISPATCH_SECONDS", default=600.0)
# Images drawn for the full evaluation of a finished run (ml.metrics.report.evaluate_generator).
HANDGEN_FINAL_EVAL_IMAGES = env.int("HANDGEN_FINAL_EVAL_IMAGES", default=10_000)

# --- Text generation (generator_app/services/generation*.py, worker/generation_run.py) -----
# Evaluator classifiers that read each drawn glyph (ml/pretrained/evaluators/<charset>/);
# a glyph read as another class, or blank, is redrawn up to HANDGEN_GLYPH_REDRAWS times.
HANDGEN_EVALUATOR_DIR = Path(env("HANDGEN_EVALUATOR_DIR", default=str(HANDGEN_PRETRAINED_DIR / "evaluators")))
HANDGEN_GLYPH_REDRAWS = env.int("HANDGEN_GLYPH_REDRAWS", default=3)
# A warm worker draws 1,000 characters in seconds; the limits leave room for a cold one, which
# first imports TensorFlow and loads the models (minutes on a CPU busy with training).
# A generation never stays unfinished: pending this long (no worker took it) or running this
# long (its worker died) and the periodic sweep marks it failed with the reason.
HANDGEN_GENERATION_SOFT_TIME_LIMIT = env.int("HANDGEN_GENERATION_SOFT_TIME_LIMIT", default=300)
HANDGEN_GENERATION_TIME_LIMIT = env.int("HANDGEN_GENERATION_TIME_LIMIT", default=330)
HANDGEN_GENERATION_PENDING_LIMIT = env.int("HANDGEN_GENERATION_PENDING_LIMIT", default=900)
HANDGEN_GENERATION_SWEEP_INTERVAL = env.float("HANDGEN_GENERATION_SWEEP_INTERVAL", default=60.0)
# Dataset exports (default queue): 200,000 images, the most one may hold, take a few minutes
# on two busy cores. A usefulness score trains three small classifiers (gpu queue): up to an hour.
HANDGEN_EXPORT_SOFT_TIME_LIMIT = env.int("HANDGEN_EXPORT_SOFT_TIME_LIMIT", default=900)
HANDGEN_EXPORT_TIME_LIMIT = env.int("HANDGEN_EXPORT_TIME_LIMIT", default=960)
HANDGEN_USEFULNESS_SOFT_TIME_LIMIT = env.int("HANDGEN_USEFULNESS_SOFT_TIME_LIMIT", default=3600)
HANDGEN_USEFULNESS_TIME_LIMIT = env.int("HANDGEN_USEFULNESS_TIME_LIMIT", default=3660)
# A user's own hand: adaptation steps per generator, and the learning task's limits.
HANDGEN_HAND_ADAPT_STEPS = env.int("HANDGEN_HAND_ADAPT_STEPS", default=300)
HANDGEN_HAND_SOFT_TIME_LIMIT = env.int("HANDGEN_HAND_SOFT_TIME_LIMIT", default=1800)
HANDGEN_HAND_TIME_LIMIT = env.int("HANDGEN_HAND_TIME_LIMIT", default=1860)
# Dataset downloads and sheet readings (default queue). The limits live here, not on the task,
# because the stale-job sweep below needs them too.
HANDGEN_DOWNLOAD_SOFT_TIME_LIMIT = env.int("HANDGEN_DOWNLOAD_SOFT_TIME_LIMIT", default=3600)
HANDGEN_DOWNLOAD_TIME_LIMIT = env.int("HANDGEN_DOWNLOAD_TIME_LIMIT", default=3700)
HANDGEN_SHEET_SOFT_TIME_LIMIT = env.int("HANDGEN_SHEET_SOFT_TIME_LIMIT", default=120)
HANDGEN_SHEET_TIME_LIMIT = env.int("HANDGEN_SHEET_TIME_LIMIT", default=150)
# Hands, exports, downloads and sheets have no heartbeat: a worker that dies (SIGKILL, OOM,
# a lost machine) leaves its row running, and a redelivered message does not claim it again.
# The stale-job sweep (worker/stale_jobs.py) fails a job still running MARGIN seconds past
# its task's hard limit (by then no live worker can hold it), and a download or sheet that
# waited on the default queue longer than QUEUE_WAIT (its message was lost). Hands and exports
# that wait are left alone: they may queue for hours behind training or other exports, and the
# user can cancel or delete them.
HANDGEN_STALE_JOB_MARGIN = env.int("HANDGEN_STALE_JOB_MARGIN", default=120)
HANDGEN_STALE_JOB_QUEUE_WAIT = env.int("HANDGEN_STALE_JOB_QUEUE_WAIT", default=2 * 3600)
HANDGEN_STALE_JOB_SWEEP_INTERVAL = env.float("HANDGEN_STALE_JOB_SWEEP_INTERVAL", default=300.0)

# --- Celery -------------------------------------------------------------------------------
# Broker: Redis when REDIS_URL is set, otherwise kombu's filesystem transport, which needs
# no server and works across processes on one machine. Results go to the database.
CELERY_BROKER_DIR = Path(env("HANDGEN_BROKER_DIR", default=str(VAR_DIR / "broker")))
# Defaults for short tasks; long ones (training) set their own limits on the task.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A message a worker took but never acknowledged (the worker was SIGKILLed) goes back to
    # its queue once it is older than visibility_timeout; every worker sweeps for such messages
    # every unacked_restore_interval seconds (throttle 1: each sweep really looks). The timeout
    # is just above the hard limit of every short task, generation included, so no task that
    # is still running is handed out twice, and a dead generation worker's requests come back
    # within minutes (one it had claimed then ends failed with the reason; one it had only
    # reserved is drawn). Training outlives it by hours: its message is handed out once more
    # while the run trains, and that delivery is a no-op, because only a queued run is
    # claimed; a dead trainer is found by the run heartbeat (worker/run_recovery.py).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int(
            "CELERY_VISIBILITY_TIMEOUT", default=max(HANDGEN_GENERATION_TIME_LIMIT, CELERY_TASK_TIME_LIMIT) + 60
        ),
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": 1,
    }
else:
    CELERY_BROKER_URL = "filesystem://localhost//"
    # "filesystem://" is handgen_site.broker.Transport (registered by handgen_site.celery):
    # the stock transport lets a polling worker read a half-written message and die on it.
    for _sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": env.float("CELERY_POLLING_INTERVAL", default=0.2),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# At-least-once delivery: a message is acknowledged only after its task finishes, goes
# back to the queue if the worker process dies, and a worker takes one message at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (
    Queue("default", routing_key="default"),
    Queue("gpu", routing_key="gpu"),
    Queue("generate", routing_key="generate"),
)
# Training needs the accelerator (and TensorFlow): it goes to `gpu`. Generation has its own
# queue and workers, so a user's text never waits behind a training run that takes hours.
CELERY_TASK_ROUTES = {
    "generator_app.tasks.train_*": {"queue": "gpu"},
    "generator_app.tasks.generate_*": {"queue": "generate"},
}
# Celery beat (embedded in the default worker by start.sh): re-queue runs whose worker died.
# The checks share the default worker with exports and downloads that take up to an hour; with
# concurrency 2 one slot is normally free, but both may be busy. `expires` only keeps copies
# from piling up without bound while no worker listens; it is far longer than the interval so
# a check waiting behind long jobs still runs (a few extra copies are cheap no-ops).
HANDGEN_PERIODIC_TASK_EXPIRES = env.float("HANDGEN_PERIODIC_TASK_EXPIRES", default=3600.0)
CELERY_BEAT_SCHEDULE = {
    "recover-stale-training-runs": {
        "task": "generator_app.tasks.recover_stale_runs",
        "schedule": HANDGEN_RUN_RECOVERY_INTERVAL,
        "options": {"expires": HANDGEN_PERIODIC_TASK_EXPIRES},
    },
}
# Hyperparameter sweeps: tell Optuna about ended trials and queue the next ones, should the
# worker that ran a trial have died before doing it itself.
CELERY_BEAT_SCHEDULE["advance-running-sweeps"] = {
    "task": "generator_app.tasks.advance_running_sweeps",
    "schedule": HANDGEN_RUN_RECOVERY_INTERVAL,
    "options": {"expires": HANDGEN_PERIODIC_TASK_EXPIRES},
}
CELERY_BEAT_SCHEDULE["sweep-stale-generations"] = {
    "task": "generator_app.tasks.sweep_stale_generations",
    "schedule": HANDGEN_GENERATION_SWEEP_INTERVAL,
    "options": {"expires": HANDGEN_PERIODIC_TASK_EXPIRES},
}
CELERY_BEAT_SCHEDULE["fail-stale-jobs"] = {
    "task": "generator_app.tasks.fail_stale_jobs",
    "schedule": HANDGEN_STALE_JOB_SWEEP_INTERVAL,
    "options": {"expires": HANDGEN_PERIODIC_TASK_EXPIRES},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
