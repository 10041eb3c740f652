"""Who is making a change: the one source of the name every audit row, episode author and
review records.

On a server it is the database login (PostgreSQL's ``session_user``), never a name typed
into the program: the department's server knows who connected, and its audit trigger
(the a4_roles migration) refuses a row naming anyone else. A SQLite file is one person's,
opened with their operating-system account: its login name.
"""

from __future__ import annotations

import getpass

from sqlalchemy import Connection, Engine, text

# No login name at all (a container started with a bare uid): still an author, and a
# name that says why.
UNKNOWN_LOGIN = "unknown login"


def os_login() -> str:
    """The operating-system account running the program."""
    try:
        return getpass.getuser() or UNKNOWN_LOGIN
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER
        return UNKNOWN_LOGIN


def login(bind: Engine | Connection) -> str:
    """Who the database knows this program as: the server login, or the OS login for a file."""
    if bind.dialect.name != "postgresql":
        return os_login()
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return login(conn)
    # session_user, not current_user: SET ROLE changes the latter, never who logged in.
    return str(bind.execute(text("SELECT session_user")).scalar_one())
