"""Flask extensions, created unbound and initialised in create_app()."""
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from gfp_portal.core.catalogs import PortalBabel
from gfp_portal.core.db import db

__all__ = ["babel", "compress", "csrf", "db", "limiter", "login_manager", "migrate"]

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = PortalBabel()
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
