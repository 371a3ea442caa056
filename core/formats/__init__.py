"""Per-language formats for Django (FORMAT_MODULE_PATH), made from core.l10n."""
