"""A small, hand-made world for the API tests: four transfers with every kind of fact filtered on.

| slug      | supplier → recipient | via | materiel (category)     | status     | reported   | claims        |
|-----------|----------------------|-----|-------------------------|------------|------------|---------------|
| shells    | PRK → RUS            |     | artillery-shells (ammo) | delivered  | 2022-11-02 | wapo asserts, |
|           |                      |     |                         |            |            | kcna denies   |
| drones    | IRN → RUS            |     | shahed-136 (uav)        | delivered  | 2022-10-01 | wapo asserts  |
| rifles    | RUS → LBY (wagner)   | SYR | ak-rifles (small_arms)  | in_transit | (unknown)  | kcna asserts  |
| us-shells | USA → UKR            |     | artillery-shells (ammo) | ordered    | 2023-01-15 | none          |

`shells` passes through the region `middle-east`; `drones` go to the territory `crimea`;
`us-shells` is the one reviewed transfer; `shells` the one covert transfer.

PRK is under a U.N. sanctions regime, so `shells` is the one sanctioned transfer; `shells` is the
one contested transfer (kcna denies).
"""

import datetime
from dataclasses import dataclass

from tests import factories
from transfers import models, readmodel
from transfers.choices import ActorKind, MaterielCategory, Stance, TransferStatus

WAPO_TEXT = (
    "North Korea is covertly supplying Russia with a significant number of artillery shells, "
    "the White House said. Iran has sent Shahed-136 drones to Russia."
)
KCNA_TEXT = (
    "We have never supplied weapons or ammunition to Russia and have no plans to do so. "
    "Rifles were shipped through Syria to Libya."
)
SANCTIONS_TEXT = "The Security Council imposed sanctions on the Democratic People's Republic of Korea."


@dataclass
class World:
    states: dict
    actors: dict
    materiel: dict
    sources: dict
    transfers: dict
    places: dict


@readmodel.batched()  # each transfer built once, as a service would
def build_world() -> World:
    states = {
        iso3: factories.StateFactory(iso3=iso3, name=name, subregion=subregion)
        for iso3, name, subregion in [
            ("PRK", "North Korea", "Eastern Asia"),
            ("RUS", "Russia", "Eastern Europe"),
            ("UKR", "Ukraine", "Eastern Europe"),
            ("IRN", "Iran", "Southern Asia"),
            ("SYR", "Syria", "Western Asia"),
            ("LBY", "Libya", "Northern Africa"),
            ("USA", "United States", "Northern America"),
        ]
    }
    states["PRK"].aliases = ["DPRK", "Pyongyang"]
    states["PRK"].save()
    actors = {
        "white-house": factories.ActorFactory(
            slug="white-house", name="The White House", kind=ActorKind.AGENCY, state=states["USA"]
        ),
        "prk-government": factories.ActorFactory(
            slug="prk-government", name="Government of North Korea", state=states["PRK"], aliases=["DPRK"]
        ),
        "wagner-group": factories.ActorFactory(
            slug="wagner-group", name="Wagner Group", kind=ActorKind.PRIVATE_MILITARY_COMPANY, state=states["RUS"]
        ),
    }
    materiel = {
        "artillery-shells": factories.MaterielFactory(
            slug="artillery-shells", name="Artillery shells", category=MaterielCategory.AMMUNITION
        ),
        "shahed-136": factories.MaterielFactory(slug="shahed-136", name="Shahed-136", category=MaterielCategory.UAV),
        "ak-rifles": factories.MaterielFactory(
            slug="ak-rifles", name="Kalashnikov rifles", category=MaterielCategory.SMALL_ARMS
        ),
    }
    sources = {
        "wapo": factories.SourceFactory(
            slug="wapo", title="North Korea sends shells", publisher="The Washington Post", text=WAPO_TEXT,
            published=datetime.date(2022, 11, 2), kind="news_report", reliability="B",
        ),
        "kcna": factories.SourceFactory(
            slug="kcna", title="Statement", publisher="KCNA", text=KCNA_TEXT,
            published=datetime.date(2022, 11, 8), kind="official_statement", reliability="E",
        ),
        "unsc": factories.SourceFactory(
            slug="unsc", title="Resolution", publisher="United Nations", text=SANCTIONS_TEXT,
            published=datetime.date(2006, 10, 14), kind="un_document", reliability="A",
        ),
    }
    regime = factories.SanctionsRegimeFactory(slug="un-dprk", name="U.N. sanctions on North Korea")
    models.SanctionDesignation.objects.create(
        slug="un-dprk-prk", regime=regime, state=states["PRK"], source=sources["unsc"],
        quote="The Security Council imposed sanctions on the Democratic People's Republic of Korea.",
    )
    transfers = {
        "shells": factories.TransferFactory(
            slug="shells", supplier=states["PRK"], recipient=states["RUS"], materiel=materiel["artillery-shells"],
            status=TransferStatus.DELIVERED, first_reported=datetime.date(2022, 11, 2), covert=True,
            description="Covert supply of artillery shells, masked as shipments to the Middle East.",
        ),
        "drones": factories.TransferFactory(
            slug="drones", supplier=states["IRN"], recipient=states["RUS"], materiel=materiel["shahed-136"],
            status=TransferStatus.DELIVERED, first_reported=datetime.date(2022, 10, 1),
        ),
        "rifles": factories.TransferFactory(
            slug="rifles", supplier=states["RUS"], recipient=states["LBY"], materiel=materiel["ak-rifles"],
            recipient_actor=actors["wagner-group"], status=TransferStatus.IN_TRANSIT, first_reported=None,
            quantity=500,
        ),
        "us-shells": factories.TransferFactory(
            slug="us-shells", supplier=states["USA"], recipient=states["UKR"], materiel=materiel["artillery-shells"],
            status=TransferStatus.ORDERED, first_reported=datetime.date(2023, 1, 15), quantity=1_000_000,
        ),
    }
    models.TransferVia.objects.create(transfer=transfers["rifles"], state=states["SYR"])
    places = {
        "middle-east": factories.PlaceFactory(slug="middle-east", name="the Middle East", kind="region"),
        "crimea": factories.PlaceFactory(slug="crimea", name="Crimea", kind="territory", state=states["UKR"]),
    }
    models.TransferVia.objects.create(transfer=transfers["shells"], place=places["middle-east"])
    transfers["drones"].destination = places["crimea"]
    transfers["drones"].save()
    transfers["us-shells"].reviewed_at = datetime.datetime(2023, 2, 1, tzinfo=datetime.UTC)
    transfers["us-shells"].save()
    factories.ClaimFactory(
        slug="shells-wh", transfer=transfers["shells"], source=sources["wapo"], claimant=actors["white-house"],
        quote="North Korea is covertly supplying Russia with a significant number of artillery shells",
    )
    denial = factories.ClaimFactory(
        slug="shells-denial", transfer=transfers["shells"], source=sources["kcna"],
        claimant=actors["prk-government"], stance=Stance.DENIES,
        quote="We have never supplied weapons or ammunition to Russia", credibility=5,
    )
    factories.ClaimFactory(
        slug="drones-wapo", transfer=transfers["drones"], source=sources["wapo"],
        quote="Iran has sent Shahed-136 drones to Russia",
    )
    factories.ClaimFactory(
        slug="rifles-kcna", transfer=transfers["rifles"], source=sources["kcna"],
        quote="Rifles were shipped through Syria to Libya.",
    )
    factories.TransferEventFactory(
        transfer=transfers["shells"], status=TransferStatus.DELIVERED, date=datetime.date(2022, 9, 1),
        date_precision="month", claim=denial,
    )
    return World(states, actors, materiel, sources, transfers, places)


def slugs(response) -> list[str]:
    """The slugs of a list answer's results, in order."""
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]
