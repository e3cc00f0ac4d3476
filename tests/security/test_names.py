"""Names and web addresses people give (probe of issue #17, point 16): no bidirectional
overrides or invisible characters in names ("Eve<U+202E>gnp.exe"), and no web address that is a
word of the site's own addresses ("new" hid the page that creates an organisation)."""

import pytest
from django.core.exceptions import ValidationError

from commons_fund.members import services as members
from commons_fund.members.models import Organisation, Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory
from pledges import services as pools
from projects import services as projects

pytestmark = pytest.mark.django_db

TRICKS = ["Eve \u202egnp.exe", "Data\u200bPatch", "Octo\u2066puce", "\ufeffOuvaton"]


@pytest.mark.parametrize("name", TRICKS)
def test_names_with_invisible_or_direction_changing_characters_are_refused(name):
    with pytest.raises(ValidationError) as refused:
        members.organisation_create(creator=UserFactory(), name=name, legal_form="scop")
    assert "name" in refused.value.message_dict
    assert not Organisation.objects.exists()


def test_french_spacing_is_still_welcome():
    organisation = members.organisation_create(
        creator=UserFactory(), name="L\u2019Atelier\u00a0numérique", legal_form="association"
    )
    assert organisation.slug == "latelier-numerique"


@pytest.mark.parametrize("word", ["new", "edit", "my", "api"])
def test_route_words_are_refused_as_web_addresses(word):
    admin = MembershipFactory(role=Role.ADMIN)
    for create in (
        lambda: members.organisation_create(creator=UserFactory(), name=word, legal_form="scop"),
        lambda: projects.project_create(
            creator=admin.user,
            host=admin.organisation,
            name=word,
            kind="software",
            licence="AGPL-3.0-or-later",
            summary="Un commun",
        ),
        lambda: pools.pool_create(creator=admin.user, host=admin.organisation, name=word),
    ):
        with pytest.raises(ValidationError) as refused:
            create()
        assert "slug" in refused.value.message_dict
