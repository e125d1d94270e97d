"""Extension singletons; each is bound to the app in create_app()."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from county_net.core.models import Base

# Objects keep their loaded values after commit: a commit inside system_scope must not leave
# rows that the request scope (or RLS) would refuse to reload.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
