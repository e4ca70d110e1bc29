"""The field's vocabularies, documented once.

Every choice field in the models draws on one of these classes, and each is also enforced by a
database CHECK constraint (see ``transfers.models.base.choices_constraint``).
"""

from django.db import models


class Reliability(models.TextChoices):
    """Admiralty (NATO) source reliability: how far the *source* has proved trustworthy."""

    A = "A", "A – completely reliable"
    B = "B", "B – usually reliable"
    C = "C", "C – fairly reliable"
    D = "D", "D – not usually reliable"
    E = "E", "E – unreliable"
    F = "F", "F – reliability cannot be judged"


class Credibility(models.IntegerChoices):
    """Admiralty (NATO) information credibility: how likely this *piece of information* is true.

    Independent of the source's reliability: a reliable source can pass on a doubtful claim.
    """

    CONFIRMED = 1, "1 – confirmed by other sources"
    PROBABLE = 2, "2 – probably true"
    POSSIBLE = 3, "3 – possibly true"
    DOUBTFUL = 4, "4 – doubtful"
    IMPROBABLE = 5, "5 – improbable"
    CANNOT_JUDGE = 6, "6 – truth cannot be judged"


class ActorKind(models.TextChoices):
    GOVERNMENT = "government", "Government"
    ARMED_FORCES = "armed_forces", "Armed forces"
    AGENCY = "agency", "Government agency or office"
    NON_STATE_ARMED_GROUP = "non_state_armed_group", "Non-state armed group"
    PRIVATE_MILITARY_COMPANY = "private_military_company", "Private military company"
    COMPANY = "company", "Company"
    PERSON = "person", "Person"
    INTERNATIONAL_ORGANIZATION = "international_organization", "International organization"
    OTHER = "other", "Other"


class MaterielCategory(models.TextChoices):
    AMMUNITION = "ammunition", "Ammunition (shells, rounds, bombs)"
    ARTILLERY = "artillery", "Artillery systems (guns, howitzers, rocket launchers)"
    UAV = "uav", "Uncrewed aircraft (incl. loitering munitions, 'kamikaze' drones)"
    MISSILE = "missile", "Missiles"
    AIRCRAFT = "aircraft", "Crewed aircraft"
    ARMOURED_VEHICLE = "armoured_vehicle", "Armoured vehicles"
    AIR_DEFENCE = "air_defence", "Air defence systems"
    NAVAL = "naval", "Naval vessels and systems"
    SMALL_ARMS = "small_arms", "Small arms and light weapons"
    WMD_COMPONENT = "wmd_component", "WMD components (chemical, biological, nuclear, radiological)"
    SERVICES = "services", "Services (training, maintenance, technicians)"
    OTHER = "other", "Other"


class UNRegisterCategory(models.TextChoices):
    """UN Register of Conventional Arms categories. Ammunition, services and WMD are outside them."""

    I = "I", "I – battle tanks"  # noqa: E741 - the Register's own numeral
    II = "II", "II – armoured combat vehicles"
    III = "III", "III – large-calibre artillery systems"
    IV = "IV", "IV – combat aircraft and unmanned combat aerial vehicles"
    V = "V", "V – attack helicopters"
    VI = "VI", "VI – warships"
    VII = "VII", "VII – missiles and missile launchers"
    SALW = "SALW", "Small arms and light weapons"


class SourceKind(models.TextChoices):
    NEWS_REPORT = "news_report", "News report"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    GOVERNMENT_REPORT = "government_report", "Government report or register submission"
    UN_DOCUMENT = "un_document", "UN document"
    NGO_REPORT = "ngo_report", "NGO or research report"
    ACADEMIC = "academic", "Academic publication"
    SOCIAL_MEDIA = "social_media", "Social media post"
    DATASET = "dataset", "Dataset"
    OTHER = "other", "Other"


class TransferStatus(models.TextChoices):
    ANTICIPATED = "anticipated", "Anticipated – officials warn it may happen"
    SOUGHT = "sought", "Sought – the recipient is trying to obtain it"
    OFFERED = "offered", "Offered – the supplier has offered it"
    ORDERED = "ordered", "Ordered – agreed or purchased"
    IN_TRANSIT = "in_transit", "In transit – shipped, receipt not known"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    UNKNOWN = "unknown", "Unknown"


class Stance(models.TextChoices):
    """What a claim does to its transfer. ``disputes`` confirms the transfer but disputes a detail
    (its size, its date, a party): the transfer is then contested, like one a claim denies."""

    ASSERTS = "asserts", "Asserts"
    DENIES = "denies", "Denies"
    DISPUTES = "disputes", "Disputes a detail (confirms the transfer)"


# Stances that make a transfer contested.
CONTESTING_STANCES = (Stance.DENIES, Stance.DISPUTES)


class PartyRole(models.TextChoices):
    """Roles in a deal beside the supplier and the recipient (SIPRI records them in its comments)."""

    MANUFACTURER = "manufacturer", "Manufacturer"
    BROKER = "broker", "Broker – arranges the deal for a fee"
    INTERMEDIARY = "intermediary", "Intermediary – a State or actor the deal passes through"
    SHIPPER = "shipper", "Shipper – carries the goods (shipping company, airline, carrier)"
    FINANCIER = "financier", "Financier – pays for or finances the deal"
    END_USER = "end_user", "End user – the unit or group that finally uses the items"
    OTHER = "other", "Other"


class LegRole(models.TextChoices):
    """A route leg's place in the journey."""

    ORIGIN = "origin", "Origin – where the goods leave from"
    TRANSIT = "transit", "Transit – passed through"
    TRANSSHIPMENT = "transshipment", "Transshipment – unloaded and reloaded onto another carrier"
    DESTINATION = "destination", "Destination – where the goods arrive"


# Route roles whose legs the old ``via`` (States) and ``via_regions`` (places) lists show.
TRANSIT_ROLES = (LegRole.TRANSIT, LegRole.TRANSSHIPMENT)


class TransportMode(models.TextChoices):
    SEA = "sea", "Sea"
    AIR = "air", "Air"
    LAND = "land", "Land (road)"
    RAIL = "rail", "Rail"
    UNKNOWN = "unknown", "Unknown"


class DatePrecision(models.TextChoices):
    """How much of a date is known (after ACLED's time precision).

    The date is stored as the first day of its period; a month-precision date is not a claim about
    that first day.
    """

    DAY = "day", "Exact day"
    MONTH = "month", "Month only"
    YEAR = "year", "Year only"


class PlaceKind(models.TextChoices):
    REGION = "region", "Named region (e.g. 'the Middle East'), not a State"
    TERRITORY = "territory", "Territory (e.g. a peninsula or province)"
    CITY = "city", "City or town"
    NAVAL_BASE = "naval_base", "Naval base"
    AIR_BASE = "air_base", "Air base"
    MILITARY_BASE = "military_base", "Other military base"
    PORT = "port", "Port"
    OTHER = "other", "Other"


class SanctionKind(models.TextChoices):
    ARMS_EMBARGO = "arms_embargo", "Arms embargo"
    SANCTIONS = "sanctions", "Sanctions regime"
    EXPORT_CONTROLS = "export_controls", "Export controls"


# UN M49 sub-regions and the region each belongs to (the M49 standard's own hierarchy).
M49_SUBREGIONS = {
    "Northern Africa": "Africa",
    "Eastern Africa": "Africa",
    "Middle Africa": "Africa",
    "Southern Africa": "Africa",
    "Western Africa": "Africa",
    "Caribbean": "Americas",
    "Central America": "Americas",
    "South America": "Americas",
    "Northern America": "Americas",
    "Central Asia": "Asia",
    "Eastern Asia": "Asia",
    "South-eastern Asia": "Asia",
    "Southern Asia": "Asia",
    "Western Asia": "Asia",
    "Eastern Europe": "Europe",
    "Northern Europe": "Europe",
    "Southern Europe": "Europe",
    "Western Europe": "Europe",
    "Australia and New Zealand": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
    "Polynesia": "Oceania",
}

M49Subregion = models.TextChoices(
    "M49Subregion",
    [(name.replace(" ", "_").replace("-", "_").upper(), (name, name)) for name in M49_SUBREGIONS],
)
