"""Accounts objects for tests that need more than the `tenant` fixture's members."""

from datetime import timedelta

import factory
from django.utils import timezone

from shangyou.accounts.models import ApiToken, Invitation, Membership, Team, User, hash_secret
from shangyou.core.actor import Role
from tests.conftest import PASSWORD


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.SALES


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation; the raw token is `invitation.raw_token` (only its hash is stored)."""

    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = Role.SALES
    raw_token = factory.Sequence(lambda n: f"invitation-token-{n}")
    token_hash = factory.LazyAttribute(lambda o: hash_secret(o.raw_token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))

    @classmethod
    def _create(cls, model_class, *args, raw_token, **kwargs):
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.raw_token = raw_token
        return invitation


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiToken

    name = "test"
    prefix = factory.Sequence(lambda n: f"sy_{n:07d}")
    key_hash = factory.Sequence(lambda n: hash_secret(f"sy_key_{n}"))
