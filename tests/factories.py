"""Factories for the people and records tests are written about."""

from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from casebridge.accounts.models import (
    CaseManagementModel,
    Organisation,
    Program,
    ProgramModelRule,
    Role,
)
from casebridge.clients.models import Client, Collateral, ReferralSource
from casebridge.consents.models import Consent

PASSWORD = "correct-horse-battery-9"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Agency {n}")
    case_number_prefix = "TS"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    default_model = CaseManagementModel.CLINICAL


class ProgramModelRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramModelRule

    program = factory.SubFactory(ProgramFactory)
    model = CaseManagementModel.CLINICAL
    contact_every_days = 14
    caseload_cap = 30


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Staff"
    email = factory.LazyAttribute(lambda u: f"{u.username}@agency.example")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CASE_MANAGER
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def programs(self, create: bool, extracted: list[Program] | None, **kwargs: object) -> None:
        if create and extracted:
            self.programs.set(extracted)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    program = factory.SubFactory(ProgramFactory)
    organisation = factory.LazyAttribute(lambda c: c.program.organisation)
    case_number = factory.Sequence(lambda n: f"TS-2026-{n:05d}")
    legal_first_name = factory.Sequence(lambda n: f"Client{n}")
    legal_last_name = "Example"
    date_of_birth = date(1990, 5, 17)
    phone = "5551234567"
    referral_source = ReferralSource.SELF
    case_management_model = CaseManagementModel.CLINICAL
    registered_by = factory.SubFactory(
        StaffFactory, organisation=factory.SelfAttribute("..organisation")
    )


class CollateralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collateral

    client = factory.SubFactory(ClientFactory)
    name = "Dana Example"
    relationship = "family"
    phone = "5559876543"


class ConsentFactory(factory.django.DjangoModelFactory):
    """A complete, active consent for a collateral; override what a test is about."""

    class Meta:
        model = Consent

    client = factory.SubFactory(ClientFactory)
    status = "active"
    patient_name = factory.LazyAttribute(lambda c: c.client.legal_name)
    disclosing_party = factory.LazyAttribute(lambda c: c.client.organisation.name)
    categories = factory.LazyFunction(lambda: ["attendance", "progress"])
    recipient_kind = "collateral"
    purpose = "family"
    right_to_revoke_explained = True
    expiry_kind = "date"
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    signature_method = "verbal"
    witness_name = "Sue Staff"
    signed_by = factory.LazyAttribute(lambda c: c.client.legal_name)
    signed_on = factory.LazyFunction(date.today)
    created_by = factory.LazyAttribute(lambda c: c.client.registered_by)


def team_newcomers(world, size: int):
    """Case managers in sue's program ("Case7 Manager007", username cm7) until her team has
    `size` (alice and bob count), each given to the caller with their number."""
    from casebridge.clients.queries import team_members

    for n in range(team_members(world.sue).count(), size):
        yield (
            n,
            StaffFactory(
                username=f"cm{n}",
                first_name=f"Case{n}",
                last_name=f"Manager{n:03d}",
                organisation=world.org,
                programs=[world.program],
            ),
        )
