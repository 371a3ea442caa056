"""The sign-in form, with the limits Django's own leaves to the browser."""

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class SignInForm(AuthenticationForm):
    """Django's form, refusing a username longer than any account's e-mail address can be.

    Django only puts ``maxlength`` on the input; a longer value posted anyway reached the lockout's
    ``varchar(255)`` and gave an unauthenticated 500 (issue 15, point 12). Refused here, it never
    reaches ``authenticate()``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length
        self.fields["username"].validators.append(MaxLengthValidator(limit))
