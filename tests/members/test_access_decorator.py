"""``@access`` enforces its policy before the view's body runs: the method, the sign-in, the scope."""

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from challenges.access import CHALLENGE_READER, CHALLENGE_WRITER
from members.policy import CHALLENGE_READ, CHALLENGE_WRITE_POST, SIGNED_IN_PAGE, access
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
ran = []


def body(request, challenge=None):
    ran.append(challenge)
    return HttpResponse("ran")


def call(view, user, method="get", **kwargs):
    request = getattr(RequestFactory(), method)("/somewhere/")
    request.user = user
    return view(request, **kwargs)


@pytest.fixture(autouse=True)
def _forget():
    ran.clear()


def test_a_wrong_method_is_refused_before_the_body():
    view = access(CHALLENGE_WRITE_POST, CHALLENGE_WRITER)(body)
    response = call(view, UserFactory(), "get", challenge_id=1)
    assert response.status_code == 405 and response["Allow"] == "POST" and ran == []


def test_an_anonymous_reader_is_sent_to_sign_in():
    from django.contrib.auth.models import AnonymousUser

    response = call(access(SIGNED_IN_PAGE)(body), AnonymousUser())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"] and ran == []


def test_out_of_scope_is_404_and_read_only_is_403_before_the_body():
    challenge = ChallengeFactory()
    stranger, member = UserFactory(), MembershipFactory(challenge=challenge, role="member").user
    with pytest.raises(Http404):
        call(access(CHALLENGE_READ, CHALLENGE_READER)(body), stranger, challenge_id=challenge.pk)
    with pytest.raises(PermissionDenied):
        call(access(CHALLENGE_WRITE_POST, CHALLENGE_WRITER)(body), member, "post", challenge_id=challenge.pk)
    assert ran == []


def test_the_view_gets_the_object_in_place_of_its_id():
    seat = MembershipFactory(role="team_lead")
    response = call(
        access(CHALLENGE_WRITE_POST, CHALLENGE_WRITER)(body), seat.user, "post", challenge_id=seat.challenge_id
    )
    assert response.status_code == 200 and ran == [seat.challenge]


def test_a_policy_about_an_object_cannot_be_declared_without_saying_how_to_find_it():
    with pytest.raises(ImproperlyConfigured):
        access(CHALLENGE_READ)(body)
