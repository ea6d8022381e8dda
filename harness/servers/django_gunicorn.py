"""gunicorn serving the Django contract app (harness/servers/django_app.py).

    python -m harness.servers.django_gunicorn --host 127.0.0.1 --port 0 [--certfile F --keyfile F]

gunicorn with the settings of harness/servers/gunicorn_server.py (gthread worker, graceful
timeout, ready line), only the application differs: Django's WSGI handler, as a Django
project's ``wsgi.py`` gives it to a production server.
"""

from __future__ import annotations

import sys

from harness.servers import command, django_app, gunicorn_server


def serve(options: command.Options) -> None:
    gunicorn_server.serve(options, django_app.application)


if __name__ == "__main__":
    sys.exit(
        command.main(serve, prog="python -m harness.servers.django_gunicorn", description=__doc__)
    )
