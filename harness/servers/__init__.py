"""Server adapters: each maps the behaviour contract onto one implementation's own API."""
