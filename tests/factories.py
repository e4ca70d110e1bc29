"""factory-boy factories for volume; the article fixtures are for facts."""

import datetime

import factory

from transfers import models
from transfers.choices import ActorKind, MaterielCategory, PlaceKind, TransferStatus

SOURCE_TEXT = (
    "Officials said the shipment of rockets left the port in March. "
    "The government denied that any rockets were sent."
)


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.State
        django_get_or_create = ("iso3",)

    iso3 = factory.Sequence(lambda n: "Q" + chr(65 + (n // 26) % 26) + chr(65 + n % 26))
    name = factory.LazyAttribute(lambda o: f"State {o.iso3}")
    subregion = "Eastern Europe"


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Actor

    slug = factory.Sequence(lambda n: f"actor-{n}")
    name = factory.Sequence(lambda n: f"Actor {n}")
    kind = ActorKind.GOVERNMENT
    state = factory.SubFactory(StateFactory)


class MaterielFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Materiel

    slug = factory.Sequence(lambda n: f"materiel-{n}")
    name = factory.Sequence(lambda n: f"Materiel {n}")
    category = MaterielCategory.AMMUNITION


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Place

    slug = factory.Sequence(lambda n: f"place-{n}")
    name = factory.Sequence(lambda n: f"Place {n}")
    kind = PlaceKind.REGION


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "Example News"
    published = datetime.date(2022, 11, 2)
    reliability = "B"
    text = SOURCE_TEXT


class TransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Transfer

    slug = factory.Sequence(lambda n: f"transfer-{n}")
    supplier = factory.SubFactory(StateFactory)
    recipient = factory.SubFactory(StateFactory)
    materiel = factory.SubFactory(MaterielFactory)
    status = TransferStatus.IN_TRANSIT
    first_reported = datetime.date(2022, 11, 2)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Claim

    slug = factory.Sequence(lambda n: f"claim-{n}")
    transfer = factory.SubFactory(TransferFactory)
    source = factory.SubFactory(SourceFactory)
    quote = "the shipment of rockets left the port in March"
    credibility = 2


class TransferEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TransferEvent

    transfer = factory.SubFactory(TransferFactory)
    status = TransferStatus.IN_TRANSIT
    date = datetime.date(2022, 3, 1)
    date_precision = "month"


class SanctionsRegimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SanctionsRegime

    slug = factory.Sequence(lambda n: f"regime-{n}")
    name = factory.Sequence(lambda n: f"Sanctions regime {n}")
