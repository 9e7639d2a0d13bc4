"""Configuration, read from the environment with development defaults."""

import os
from datetime import timedelta

from dotenv import load_dotenv

basedir = os.path.abspath(os.path.dirname(__file__))
load_dotenv(os.path.join(basedir, ".env"))

DEFAULT_SECRET_KEY = "dev-only-change-me"


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEFAULT_SECRET_KEY
    # None means SQLite in the instance folder; the factory fills it in.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # Errors never echo SQL parameters (message bodies, token hashes) to logs.
    SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True}
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    # Unset under `flask run` (threading); wsgi.py picks eventlet or gevent.
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE") or None
    # Origins allowed to open Socket.IO connections and call the API from a
    # browser, besides the server's own. "*" allows any origin.
    CHAT_ALLOWED_ORIGINS = _list(os.environ.get("CHAT_ALLOWED_ORIGINS"))
    # How many reverse proxies stand in front of the app. Their
    # X-Forwarded-For/Proto/Host give the client's address, the scheme and the
    # host; with 0 those headers are ignored, as any client could send them.
    CHAT_TRUSTED_PROXIES = int(os.environ.get("CHAT_TRUSTED_PROXIES", 0))

    # Behind HTTPS, cookies are sent only over HTTPS and browsers are told
    # (Strict-Transport-Security) to use nothing else.
    CHAT_HTTPS = _flag(os.environ.get("CHAT_HTTPS"))
    SESSION_COOKIE_SECURE = CHAT_HTTPS
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # An agent's login ends on the server after this many days, and the
    # "Keep me logged in" cookie with it.
    CHAT_LOGIN_DAYS = float(os.environ.get("CHAT_LOGIN_DAYS", 14))
    REMEMBER_COOKIE_DURATION = timedelta(days=CHAT_LOGIN_DAYS)
    # The login and logout forms' CSRF tokens last as long as the browser's
    # session, so an inbox open for hours can still log out.
    WTF_CSRF_TIME_LIMIT = None

    CHAT_MAX_BODY_CHARS = int(os.environ.get("CHAT_MAX_BODY_CHARS", 5000))
    # Canned responses there may be; the inbox loads them all at once.
    CHAT_MAX_CANNED = int(os.environ.get("CHAT_MAX_CANNED", 500))
    CHAT_TYPING_TIMEOUT = float(os.environ.get("CHAT_TYPING_TIMEOUT", 6))
    CHAT_PRESENCE_GRACE = float(os.environ.get("CHAT_PRESENCE_GRACE", 3))
    # Summaries of a conversation that changes several times within this
    # many seconds go to agents once.
    CHAT_SUMMARY_DELAY = float(os.environ.get("CHAT_SUMMARY_DELAY", 0.05))
    # The inbox's view counts are read at most once per this many seconds,
    # however many conversations change meanwhile (0 reads them at once).
    CHAT_COUNTS_DELAY = float(os.environ.get("CHAT_COUNTS_DELAY", 0.5))
    # SQLite: a thread copies the write-ahead log into the database this
    # often, so that no commit has to (0: SQLite's own, at some commits).
    CHAT_SQLITE_CHECKPOINT_SECONDS = float(os.environ.get("CHAT_SQLITE_CHECKPOINT_SECONDS", 1))
    CHAT_API_TOKEN_HOURS = int(os.environ.get("CHAT_API_TOKEN_HOURS", 24))
    # Named API tokens one agent may hold (made in the inbox, see docs/protocol.md).
    CHAT_MAX_API_TOKENS = int(os.environ.get("CHAT_MAX_API_TOKENS", 50))
    # Limits against abuse (see docs/security.md). Rates are written as
    # "N per M seconds"; HTTP limits are per client address, Socket.IO ones
    # per credential (a visitor's conversation, an agent), across its sockets.
    CHAT_LOGIN_RATE = os.environ.get("CHAT_LOGIN_RATE", "10 per minute")
    # Failed password attempts on one account, from any address, through the
    # login form and POST /api/v1/tokens together.
    CHAT_LOGIN_ACCOUNT_RATE = os.environ.get("CHAT_LOGIN_ACCOUNT_RATE", "20 per hour")
    CHAT_CONVERSATION_RATE = os.environ.get("CHAT_CONVERSATION_RATE", "20 per minute")
    # Identifying a visitor (POST /api/v1/identify), per client address.
    CHAT_IDENTIFY_RATE = os.environ.get("CHAT_IDENTIFY_RATE", "30 per minute")
    # Admin requests that hash a password (adding an agent, resetting one's
    # password): slow on purpose, so not an unlimited number of them.
    CHAT_ADMIN_PASSWORD_RATE = os.environ.get("CHAT_ADMIN_PASSWORD_RATE", "30 per minute")
    CHAT_MESSAGE_RATE = os.environ.get("CHAT_MESSAGE_RATE", "30 per 10 seconds")
    CHAT_TYPING_RATE = os.environ.get("CHAT_TYPING_RATE", "20 per 10 seconds")
    # Live typing previews (when the desk shows them): the widget sends at
    # most two a second while the visitor types.
    CHAT_TYPING_PREVIEW_RATE = os.environ.get("CHAT_TYPING_PREVIEW_RATE", "30 per 10 seconds")
    # A history page or a join reads up to 100 messages: enough for a
    # catch-up of thousands of messages, not for a flood of reads.
    CHAT_HISTORY_RATE = os.environ.get("CHAT_HISTORY_RATE", "30 per 10 seconds")
    CHAT_JOIN_RATE = os.environ.get("CHAT_JOIN_RATE", "30 per 10 seconds")
    # Claiming, assigning and unassigning (one allowance), and turning
    # available or away, which tells every visitor whether agents are online.
    CHAT_ASSIGN_RATE = os.environ.get("CHAT_ASSIGN_RATE", "30 per 10 seconds")
    CHAT_AVAILABILITY_RATE = os.environ.get("CHAT_AVAILABILITY_RATE", "10 per 10 seconds")
    # Resolve, reopen and snooze, by socket or API: an agent's clicks, not a script's.
    CHAT_DESK_RATE = os.environ.get("CHAT_DESK_RATE", "30 per 10 seconds")
    # Searches per client address: the inbox searches as an agent types.
    CHAT_SEARCH_RATE = os.environ.get("CHAT_SEARCH_RATE", "120 per minute")
    # A visitor leaving an email address, and asking for the transcript by
    # email (each sends a message to someone's mailbox: a few an hour).
    CHAT_EMAIL_RATE = os.environ.get("CHAT_EMAIL_RATE", "10 per 10 minutes")
    CHAT_TRANSCRIPT_RATE = os.environ.get("CHAT_TRANSCRIPT_RATE", "3 per hour")
    # Files in chats (see app/services/files.py): where their bytes are kept
    # ("local": a folder, CHAT_FILE_DIR or instance/files, for one machine or
    # a shared volume; "database": a table every process on every machine
    # reads; "s3": a bucket), the largest file, the most one conversation may
    # hold, the largest image in pixels (a decompression bomb is refused
    # before it is decoded), the types accepted (as sniffed from the content;
    # "*" patterns allowed) and uploads per client address.
    CHAT_FILE_STORAGE = os.environ.get("CHAT_FILE_STORAGE", "local")
    CHAT_FILE_DIR = os.environ.get("CHAT_FILE_DIR") or None
    # CHAT_FILE_STORAGE=s3: a bucket of S3 or an S3-compatible store (its
    # endpoint for MinIO and the like); credentials as boto3 finds them.
    CHAT_S3_BUCKET = os.environ.get("CHAT_S3_BUCKET") or None
    CHAT_S3_ENDPOINT_URL = os.environ.get("CHAT_S3_ENDPOINT_URL") or None
    CHAT_S3_REGION = os.environ.get("CHAT_S3_REGION") or None
    CHAT_S3_PREFIX = os.environ.get("CHAT_S3_PREFIX", "")
    CHAT_MAX_FILE_BYTES = int(os.environ.get("CHAT_MAX_FILE_BYTES", 10 * 1024 * 1024))
    CHAT_MAX_CONVERSATION_FILE_BYTES = int(
        os.environ.get("CHAT_MAX_CONVERSATION_FILE_BYTES", 200 * 1024 * 1024)
    )
    CHAT_MAX_IMAGE_PIXELS = int(os.environ.get("CHAT_MAX_IMAGE_PIXELS", 40_000_000))
    CHAT_FILE_TYPES = _list(
        os.environ.get(
            "CHAT_FILE_TYPES",
            "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/csv,"
            "application/zip,application/msword,application/vnd.ms-excel,"
            "application/vnd.openxmlformats-officedocument.*,application/vnd.oasis.opendocument.*",
        )
    )
    CHAT_UPLOAD_RATE = os.environ.get("CHAT_UPLOAD_RATE", "30 per minute")
    # Files uploaded but never sent in a message are deleted after this many
    # hours; the maintenance loop looks every CHAT_FILE_SWEEP_SECONDS.
    CHAT_UNSENT_FILE_HOURS = float(os.environ.get("CHAT_UNSENT_FILE_HOURS", 24))
    CHAT_FILE_SWEEP_SECONDS = float(os.environ.get("CHAT_FILE_SWEEP_SECONDS", 600))
    # A visitor rating a resolved chat (and changing their mind), by socket or API.
    CHAT_RATING_RATE = os.environ.get("CHAT_RATING_RATE", "10 per minute")
    # Reports per client address: each reads every conversation of its period.
    CHAT_REPORT_RATE = os.environ.get("CHAT_REPORT_RATE", "30 per minute")
    CHAT_MAX_VISITOR_CONNECTIONS = int(os.environ.get("CHAT_MAX_VISITOR_CONNECTIONS", 10))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # The largest HTTP request body accepted (a bigger one is 413 too_large).
    MAX_CONTENT_LENGTH = 64 * 1024
    # Engine.IO's heartbeat: a client that vanishes without closing is
    # noticed within interval + timeout seconds.
    CHAT_PING_INTERVAL = float(os.environ.get("CHAT_PING_INTERVAL", 25))
    CHAT_PING_TIMEOUT = float(os.environ.get("CHAT_PING_TIMEOUT", 20))
    # The production server's timeouts (see app/server.py): for a request's
    # line and headers, and for any other wait on a client, which must be
    # longer than the heartbeat above.
    CHAT_HEADER_TIMEOUT = float(os.environ.get("CHAT_HEADER_TIMEOUT", 10))
    CHAT_IDLE_TIMEOUT = float(
        os.environ.get("CHAT_IDLE_TIMEOUT", CHAT_PING_INTERVAL + CHAT_PING_TIMEOUT + 15)
    )
    # Engine.IO's maximum packet size: a larger frame closes the connection.
    CHAT_MAX_PACKET_BYTES = int(os.environ.get("CHAT_MAX_PACKET_BYTES", 1_000_000))
    # What one connection may make the server hold (see app/realtime/engine.py):
    # the packets of one long-polling POST (a client sends all it buffered
    # since its last POST: a busy inbox, receipting every message, sends
    # hundreds under load; each event costs little once its rate limit
    # refuses it), the bytes waiting to be sent to it, and the seconds
    # it may stay open without completing the Socket.IO connect.
    CHAT_MAX_POST_PACKETS = int(os.environ.get("CHAT_MAX_POST_PACKETS", 1000))
    CHAT_MAX_QUEUED_BYTES = int(os.environ.get("CHAT_MAX_QUEUED_BYTES", 4_000_000))
    CHAT_CONNECT_TIMEOUT = float(os.environ.get("CHAT_CONNECT_TIMEOUT", 10))
    # Prometheus metrics at /metrics (see docs/deployment.md), readable only
    # from these addresses or networks (as ProxyFix gives the client's).
    CHAT_METRICS = _flag(os.environ.get("CHAT_METRICS"))
    CHAT_METRICS_ALLOW = _list(os.environ.get("CHAT_METRICS_ALLOW")) or ["127.0.0.1", "::1"]
    # The outbox (webhook deliveries, emails; see app/services/outbox.py):
    # attempts before a job fails, the first wait after a failure (doubling
    # each time, up to the maximum), how long a process may hold a job
    # before another may take it (longer than any job takes), and how often
    # each process looks for due jobs. Its loop starts with the first request.
    CHAT_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("CHAT_OUTBOX_MAX_ATTEMPTS", 10))
    CHAT_OUTBOX_BACKOFF = float(os.environ.get("CHAT_OUTBOX_BACKOFF", 10))
    CHAT_OUTBOX_MAX_BACKOFF = float(os.environ.get("CHAT_OUTBOX_MAX_BACKOFF", 3600))
    CHAT_OUTBOX_LEASE = float(os.environ.get("CHAT_OUTBOX_LEASE", 120))
    CHAT_OUTBOX_INTERVAL = float(os.environ.get("CHAT_OUTBOX_INTERVAL", 1))
    # Finished jobs are deleted after this many days (webhook logs are kept apart).
    CHAT_OUTBOX_KEEP_DAYS = float(os.environ.get("CHAT_OUTBOX_KEEP_DAYS", 7))
    CHAT_OUTBOX_AUTOSTART = True
    # Webhooks: how long a receiver may take to answer, and how long each
    # process trusts its list of endpoints (a change made in another
    # process holds here after at most this many seconds).
    CHAT_WEBHOOK_TIMEOUT = float(os.environ.get("CHAT_WEBHOOK_TIMEOUT", 10))
    CHAT_WEBHOOKS_CACHE_SECONDS = float(os.environ.get("CHAT_WEBHOOKS_CACHE_SECONDS", 5))

    # Email (Flask-Mailman over SMTP): off unless MAIL_SERVER is set. Each
    # email is an outbox job, sent in the background with retries.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 587))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _flag(os.environ.get("MAIL_USE_TLS"))
    MAIL_USE_SSL = _flag(os.environ.get("MAIL_USE_SSL"))
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Support <support@localhost>")
    # Seconds an SMTP conversation may take; well within CHAT_OUTBOX_LEASE.
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", 30))
    # Always SMTP, also when TESTING (Flask-Mailman would keep mail in memory).
    MAIL_BACKEND = "smtp"
    # The address people reach this server at: links in emails start with it.
    CHAT_PUBLIC_URL = os.environ.get("CHAT_PUBLIC_URL", "http://localhost:5000").rstrip("/")
    # How long the link in a reply email brings the visitor back to the chat.
    CHAT_RESUME_LINK_HOURS = float(os.environ.get("CHAT_RESUME_LINK_HOURS", 72))
    # How long a new chat may wait, with no agent online, before every agent
    # is emailed about it (unless an agent came or answered meanwhile).
    CHAT_MAIL_WAITING_SECONDS = float(os.environ.get("CHAT_MAIL_WAITING_SECONDS", 60))
    # Reply links opened per client address.
    CHAT_RESUME_RATE = os.environ.get("CHAT_RESUME_RATE", "20 per minute")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = False
    SOCKETIO_ASYNC_MODE = "threading"
    CHAT_TYPING_TIMEOUT = 0.5
    CHAT_PRESENCE_GRACE = 0.2
    CHAT_SUMMARY_DELAY = 0
    CHAT_COUNTS_DELAY = 0
    CHAT_SQLITE_CHECKPOINT_SECONDS = 0
    # Generous, so that tests hit a limit only where they mean to.
    CHAT_CONVERSATION_RATE = "1000 per minute"
    CHAT_IDENTIFY_RATE = "1000 per minute"
    CHAT_LOGIN_RATE = "1000 per minute"
    CHAT_LOGIN_ACCOUNT_RATE = "1000 per minute"
    CHAT_HISTORY_RATE = "1000 per minute"
    CHAT_JOIN_RATE = "1000 per minute"
    CHAT_ADMIN_PASSWORD_RATE = "1000 per minute"
    CHAT_ASSIGN_RATE = "1000 per minute"
    CHAT_AVAILABILITY_RATE = "1000 per minute"
    CHAT_DESK_RATE = "1000 per minute"
    CHAT_SEARCH_RATE = "1000 per minute"
    # Tests run the outbox with outbox.run_due() or start its loop themselves.
    CHAT_OUTBOX_AUTOSTART = False
    # Long, so that a test's statement counts never include a re-read.
    CHAT_WEBHOOKS_CACHE_SECONDS = 300
    CHAT_UPLOAD_RATE = "1000 per minute"
    # Uploads stay in the test's database, not in a folder (tests/test_files.py
    # sets a folder of the test's own where it means the local store).
    CHAT_FILE_STORAGE = "database"
