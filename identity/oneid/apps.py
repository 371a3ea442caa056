from django.apps import AppConfig


class OneIDConfig(AppConfig):
    name = "identity.oneid"
    label = "oneid"
    verbose_name = "OneID"
