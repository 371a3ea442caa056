from django.apps import AppConfig


class UAEPassConfig(AppConfig):
    name = "identity.uaepass"
    label = "uaepass"
    verbose_name = "UAE PASS"
