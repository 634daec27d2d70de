from django.apps import AppConfig


class SiteConfig(AppConfig):
    """What every page shares: the base template, the pager, the template filters,
    the context processor, static files and the site's clock."""

    name = "server.site"
    label = "site"
