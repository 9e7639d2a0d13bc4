"""The support live chat: application factory and extensions."""

import os

from flask import Flask
from flask_babel import lazy_gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.web.sessions import SessionInterface
from config import Config

db = SQLAlchemy()
migrate = Migrate()
login = LoginManager()
login.login_view = "auth.login"
# Translated when shown (Flask-Login calls str() on it in the request).
login.login_message = lazy_gettext("Please log in to open the inbox.")
login.localize_callback = str
csrf = CSRFProtect()
socketio = SocketIO()
limiter = Limiter(get_remote_address)
mail = Mail()


def create_app(config_class=Config):
    app = Flask(__name__)
    app.config.from_object(config_class)
    from app.web import converters

    converters.install(app)
    app.session_interface = SessionInterface()
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = os.path.join(app.instance_path, "chat.db")
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + path

    db.init_app(app)
    from app.database import tune_sqlite

    with app.app_context():
        tune_sqlite(db.engine)
    migrate.init_app(app, db, render_as_batch=True)
    login.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from app import metrics
    from app.realtime import limits

    limits.init_app(app, limiter.storage)
    metrics.init_app(app)

    from app.realtime import outbox_loop, wal_loop

    outbox_loop.init_app(app)
    wal_loop.init_app(app)
    mail.init_app(app)

    # Handlers register on import; they must exist before init_app so that
    # every app created in a process (tests create many) has them.
    from app.realtime import (  # noqa: F401
        assignment_events,
        engine,
        events,
        jsonpackets,
        packets,
        rating_events,
        reach_events,
        typing_preview_events,
    )
    from app.services import email_jobs  # noqa: F401 (the email jobs' handlers)
    from app.web.origins import origin_checker

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        cors_allowed_origins=origin_checker(app.config["CHAT_ALLOWED_ORIGINS"]),
        # Listed sites connect visitors and API tokens; the agent's cookie is
        # for the server's own pages, which need no CORS at all.
        cors_credentials=False,
        max_http_buffer_size=app.config["CHAT_MAX_PACKET_BYTES"],
        ping_interval=app.config["CHAT_PING_INTERVAL"],
        ping_timeout=app.config["CHAT_PING_TIMEOUT"],
        json=jsonpackets,
        serializer=packets.Packet,
        # A socket's events run in the task that reads them, one after the
        # other: no task to start per event, and each socket's events are
        # handled in the order they were sent. Sockets still run side by side.
        async_handlers=False,
    )
    engine.install(socketio.server, app.config)

    from app.web.proxies import trust_proxies

    trust_proxies(app)  # outside Socket.IO's middleware, so Engine.IO sees the client's side

    from app.main import bp as main_bp

    app.register_blueprint(main_bp)

    from app.auth import bp as auth_bp

    app.register_blueprint(auth_bp)

    from app.admin import bp as admin_bp

    app.register_blueprint(admin_bp)

    from app.api import bp as api_bp

    app.register_blueprint(api_bp, url_prefix="/api/v1")

    from app.monitoring import bp as monitoring_bp

    app.register_blueprint(monitoring_bp)
    csrf.exempt(api_bp)

    from app.cli import agents

    app.cli.add_command(agents)

    from app.web import languages

    languages.init_app(app)

    from app.web.headers import add_security_headers

    app.after_request(add_security_headers)
    return app


from app import models, search_index  # noqa: E402,F401
