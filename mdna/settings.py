"""MDNA settings: read from environment variables only.

With nothing set, MDNA runs on the *embedded default*: SQLite, Celery tasks run in-process,
files on local disk, e-mails printed on the console. ``DATABASE_URL`` switches to PostgreSQL and
``REDIS_URL`` to Redis (Celery broker, result backend and cache).

``MDNA_ENV`` says where we run: ``production`` (the default: every secret must be given),
``demo`` (``make demo``: DEBUG on, a throwaway secret key) or ``test``.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mdna.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

MDNA_ENV = env_str("MDNA_ENV", "production")
if MDNA_ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured("MDNA_ENV doit valoir production, demo ou test.")
PRODUCTION = MDNA_ENV == "production"

DEBUG = env_bool("DEBUG", default=MDNA_ENV == "demo")
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured("DEBUG ne peut être activé qu'en démonstration (MDNA_ENV=demo).")

SECRET_KEY = env_str("SECRET_KEY", required=PRODUCTION) or f"mdna-{MDNA_ENV}-not-a-secret-key"
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if not PRODUCTION else None
)
if PRODUCTION and not ALLOWED_HOSTS:
    env_str("ALLOWED_HOSTS", required=True)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "mdna",
    "dispositifs",
    "instruction",
    "paiements",
    "editiques",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "formtools",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mdna.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mdna.urls"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "mdna.wsgi.application"

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
                "mdna.context_processors.region",
            ],
            "string_if_invalid": "",
        },
    }
]

# --- Data -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "mdna"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "editiques.tasks.*": {"queue": "editiques"},
    "paiements.tasks.*": {"queue": "exports"},
    "instruction.tasks.export_*": {"queue": "exports"},
}
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "mdna.tasks.worker_heartbeat", "schedule": 60.0},
    "relances-pieces": {"task": "instruction.tasks.relances_pieces", "schedule": 60.0 * 60 * 6},
    "editiques-rattrapage": {"task": "editiques.tasks.rattraper_demandes", "schedule": 60.0 * 5},
    "alertes-quotidiennes": {
        "task": "dispositifs.tasks.alertes_quotidiennes",
        "schedule": 60.0 * 60 * 24,
    },
    "caducites": {"task": "paiements.tasks.signaler_caducites", "schedule": 60.0 * 60 * 24},
}
CELERY_TIMEZONE = "Europe/Paris"

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media-prive/"  # never served directly: private files go through checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, static files are served from the sources (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MDNA_DELAI_INSTRUCTION_JOURS = env_int("MDNA_DELAI_INSTRUCTION_JOURS", 60)
MDNA_UPLOAD_MAX_BYTES = env_int("MDNA_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# --- Payments: the Region as known by its public accountant (PES V2) and its SEPA account -----
MDNA_PES = {
    "siret": env_str("MDNA_PES_SIRET", "20005375900011"),
    "code_collectivite": env_str("MDNA_PES_CODCOL", "033"),
    "code_budget": env_str("MDNA_PES_CODBUD", "01"),
    "code_poste": env_str("MDNA_PES_IDPOST", "033000"),
    "libelle_poste": env_str("MDNA_PES_LIBELLE_POSTE", "Paierie régionale"),
}
MDNA_SEPA_EMETTEUR = {
    "nom": env_str("MDNA_SEPA_NOM", "Région Nouvelle-Aquitaine"),
    "iban": env_str("MDNA_SEPA_IBAN", "FR7630001007941234567890185"),
    "bic": env_str("MDNA_SEPA_BIC", "BDFEFRPPCCT"),
}
MDNA_X_ACCEL_REDIRECT = env_str("MDNA_X_ACCEL_REDIRECT", "")

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "MDNA <ne-pas-repondre@mdna.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Users and login --------------------------------------------------------------------------
AUTH_USER_MODEL = "mdna.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tableau_de_bord"
LOGOUT_REDIRECT_URL = "accueil"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
MDNA_EMAIL_VERIFICATION_MAX_AGE = 60 * 60 * 24 * 3

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "mdna.security.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/verrouille.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_VERBOSE = False

SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_HTTPONLY = True

# --- Security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and MDNA_ENV != "test":
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SILENCED_SYSTEM_CHECKS = [] if env_bool("SECURE_HSTS_PRELOAD", False) else ["security.W021"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

# --- Language ---------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- The Region -------------------------------------------------------------------------------
MDNA_REGION_NAME = env_str("MDNA_REGION_NAME", "Région Nouvelle-Aquitaine")
MDNA_REGION_SHORT = env_str("MDNA_REGION_SHORT", "Nouvelle-Aquitaine")
MDNA_REGION_LOGO = env_str("MDNA_REGION_LOGO", "img/logo-region.svg")
MDNA_PRIMARY_COLOR = env_str("MDNA_PRIMARY_COLOR", "#8c1a3e")
MDNA_CONTACT_EMAIL = env_str("MDNA_CONTACT_EMAIL", "aides@region.localhost")
MDNA_CONTACT_PHONE = env_str("MDNA_CONTACT_PHONE", "05 00 00 00 00")
MDNA_REGION_ADDRESS = env_str(
    "MDNA_REGION_ADDRESS", "14 rue François de Sourdis, 33077 Bordeaux Cedex"
)

# --- Éditiques (official documents) -----------------------------------------------------------
MDNA_TRIBUNAL_ADMINISTRATIF = env_str(
    "MDNA_TRIBUNAL_ADMINISTRATIF",
    "Tribunal administratif de Bordeaux, 9 rue Tastet, 33000 Bordeaux",
)
MDNA_SIGNATAIRE_NOM = env_str("MDNA_SIGNATAIRE_NOM", "Le Président du Conseil régional")
MDNA_SIGNATAIRE_QUALITE = env_str(
    "MDNA_SIGNATAIRE_QUALITE", "Pour le Président et par délégation, la Directrice générale"
)

# --- FranceConnect (optional OpenID Connect login for applicants) ----------------------------
FRANCECONNECT_ACTIVE = bool(env_str("FRANCECONNECT_CLIENT_ID"))
if FRANCECONNECT_ACTIVE:
    _fc = env_str("FRANCECONNECT_URL", "https://fcp.integ01.dev-franceconnect.fr/api/v1").rstrip(
        "/"
    )
    OIDC_RP_CLIENT_ID = env_str("FRANCECONNECT_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env_str("FRANCECONNECT_CLIENT_SECRET", required=True)
    OIDC_OP_AUTHORIZATION_ENDPOINT = f"{_fc}/authorize"
    OIDC_OP_TOKEN_ENDPOINT = f"{_fc}/token"
    OIDC_OP_USER_ENDPOINT = f"{_fc}/userinfo"
    OIDC_RP_SIGN_ALGO = env_str("FRANCECONNECT_SIGN_ALGO", "HS256")
    OIDC_OP_JWKS_ENDPOINT = env_str("FRANCECONNECT_JWKS_URL")
    OIDC_RP_SCOPES = "openid email given_name family_name"
    OIDC_AUTHENTICATION_CALLBACK_URL = "franceconnect_retour"
    OIDC_TIMEOUT = 3
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "mdna.franceconnect.FranceConnectBackend"]
LOGIN_REDIRECT_URL_FAILURE = "/compte/connexion/"

# --- External data (API Entreprise) -----------------------------------------------------------
# "hors_ligne" answers from recorded payloads (demo, tests); "api_entreprise" calls the real API.
MDNA_DONNEES_EXTERNES = env_str("MDNA_DONNEES_EXTERNES", "hors_ligne")
_API_ENTREPRISE = MDNA_DONNEES_EXTERNES == "api_entreprise"
API_ENTREPRISE_URL = env_str("API_ENTREPRISE_URL", "https://entreprise.api.gouv.fr")
API_ENTREPRISE_TOKEN = env_str("API_ENTREPRISE_TOKEN", required=_API_ENTREPRISE)
API_ENTREPRISE_RECIPIENT = env_str("API_ENTREPRISE_RECIPIENT", required=_API_ENTREPRISE)
API_ENTREPRISE_TIMEOUT = float(env_str("API_ENTREPRISE_TIMEOUT", "3"))

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mdna.jetons.JetonAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "mdna.api.debits.DebitAnonyme",
        "mdna.api.debits.DebitUtilisateur",
    ],
    "EXCEPTION_HANDLER": "mdna.api.base.gestionnaire_erreurs",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
MDNA_API_DEBITS = {
    "anonyme": env_str("MDNA_API_DEBIT_ANONYME", "120/minute"),
    "utilisateur": env_str("MDNA_API_DEBIT_UTILISATEUR", "1200/minute"),
}
# SIRET of the Region (idAttribuant of the SCDL "subventions" open data): by default the one
# its public accountant knows (PES V2).
MDNA_REGION_SIRET = env_str("MDNA_REGION_SIRET", MDNA_PES["siret"])
SPECTACULAR_SETTINGS = {
    "TITLE": "API MDNA",
    "DESCRIPTION": "Catalogue des aides, dossiers, instruction et finances.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TypeTiersEnum": "mdna.models.TypeTiers",
        "TypeFenetreEnum": "dispositifs.models.TypeFenetre",
        "StatutMandatEnum": "paiements.models.StatutMandat",
        "StatutExportEnum": "paiements.models.StatutExport",
    },
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "mdna.middleware.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(reference)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
