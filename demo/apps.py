from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data of ``manage.py seed_demo``: one module per app it seeds. It imports every
    app and no app imports it. No models, so no verbose name: the admin never shows it."""

    name = "demo"
