"""The words that decide what a sentence says about a transfer: rules, documented once.

Each table is a list of (regular expression, meaning), tried in order; the first that matches wins
where only one answer makes sense (a party's role), all that match count where several can
(timeline steps). Patterns are matched case-insensitively on text whose curly quotes and dashes
are folded (``gazetteer.fold``), so they are written with straight quotes.
"""

import re

from transfers.choices import TransferStatus


def _compile(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


# --- Does the sentence report a transfer at all? (besides naming a materiel) ---
TRANSFER_WORDS = _compile(
    r"\b(transfer\w*|suppl(y|ies|ied|ying)|ship(s|ped|ping|ment|ments)?|export(s|ed|ing)?|arms|weapons?|"
    r"munitions?|purchas\w*|buy(s|ing)?|bought|sell(s|ing)?|sold|deliver\w*|provid\w*|sen[dt]s?|sending|"
    r"funnel\w*|smuggl\w*|acquir\w*|patron|arsenal|materiel)\b"
)

# Words that stand for a materiel named earlier ("such materiel", "those shipments"): the sentence
# continues the previous one's transfer.
MATERIEL_ANAPHORA = _compile(
    r"\b(such|the|those|these|this|that)\s+(materiel|weapons?|arms|munitions?|shipments?|deliver(y|ies)|"
    r"cargo|purchases?)\b"
)

# --- Stance: denials and disputes ---
# "Denies" is the only contrary stance the model records; a dispute ("rejected", "dismissed as
# false") is recorded as a denial, the cue saying which it was.
DENIAL = _compile(
    r"\b(denied|denies|deny|denying|denial|rejected|rejects|rejecting|dismissed|dismisses|refuted|refutes|"
    r"disputed|disputes|repudiated)\b"
)
# Who denies: "a denial from Pyongyang" / "Tehran denied" / "rejected by Moscow".
DENIER_AFTER_CUE = _compile(r"^\w+[\w\s]{0,25}?\b(from|by)\s+(the\s+)?$")
DENIER_BEFORE_CUE = _compile(r"\s*(has |have |had )?(also |flatly |strongly |repeatedly )?")

# --- Speakers: who makes the claim ---
SPEECH = (
    r"(said|says|say|saying|told|stated|states|announced|warned|warns|accused|accuses|alleged|alleges|"
    r"claimed|claims|added|adding|insisted|confirmed|reported|would not disclose|declined to say)"
)
# "Kirby said", "the administration has said", "U.S. officials have warned", "Kirby would not disclose".
SPEAKER_BEFORE_VERB = _compile(rf"^\s*(has\s+|have\s+|had\s+)?(also\s+)?(repeatedly\s+)?{SPEECH}\b")
# "..., said Kirby", "according to the White House".
SPEAKER_AFTER_VERB = _compile(rf"\b({SPEECH}|according to)\s+(the\s+)?$")
# "he said": the last named speaker.
PRONOUN_SPEAKER = _compile(rf"\b(he|she|they)\s+{SPEECH}\b")
# Actor kinds that speak rather than take part when they say something.
SPEAKING_KINDS = frozenset({"person", "agency", "government", "other", "international_organization"})

# --- Status cues: a timeline step ---
STATUS_CUES: list[tuple[re.Pattern, str]] = [
    (_compile(r"\bwarn\w*\s+of\s+(a\s+)?possible\s+(future\s+)?|\bpossible future\b|\bcould soon (send|supply)"),
     TransferStatus.ANTICIPATED),
    (_compile(r"\bseek\w*\s+to\s+(purchase|buy|acquire|obtain)|\bwilling to buy\b|\btrying to (buy|acquire|obtain)"),
     TransferStatus.SOUGHT),
    (_compile(r"\boffer(ed|ing|s)?\s+to\s+(sell|supply|send)"), TransferStatus.OFFERED),
    (_compile(r"\b(has|have|had)\s+(purchased|bought|ordered)\b|\bsigned an? (arms )?(deal|contract)\b|"
              r"\bselling\b|\bsold\b|\bagreed to (buy|sell)\b"),
     TransferStatus.ORDERED),
    (_compile(r"\bon the move\b|\bfunnel\w*|\b(is|are|were|was|be) shipping\b|"
              r"\b(has|have|had) (been )?shipped\b|\ben route\b|\bin transit\b|"
              r"\bsmuggl\w*"),
     TransferStatus.IN_TRANSIT),
    (_compile(r"\b(have|has|had) been used\b|\bwere used\b|\bdelivered\b|\b(has|have|had) sent\b|\bprovid(ing|ed)\b|"
              r"\bsupplied\b|\breceived\b|\barrived\b"),
     TransferStatus.DELIVERED),
    (_compile(r"\bcancel\w*|\bcalled off\b"), TransferStatus.CANCELLED),
]
# A status cue under "whether", "not" or "if" is a doubt, not a step ("not yet clear whether those
# shipments were received").
STATUS_DOUBT = _compile(r"\b(whether|not|never|no|if|unclear)\b[^,.;]{0,40}$")

# Statuses in the order a transfer goes through them: a new transfer takes the furthest.
STATUS_ORDER = [
    TransferStatus.ANTICIPATED, TransferStatus.SOUGHT, TransferStatus.OFFERED, TransferStatus.ORDERED,
    TransferStatus.IN_TRANSIT, TransferStatus.DELIVERED,
]



def furthest_status(statuses) -> str:
    """The furthest step a transfer has reached among ``statuses`` (unknown when none)."""
    reached = [status for status in statuses if status in STATUS_ORDER]
    if TransferStatus.CANCELLED in statuses:
        return TransferStatus.CANCELLED
    return max(reached, key=STATUS_ORDER.index) if reached else TransferStatus.UNKNOWN


COVERT = _compile(r"\b(covert\w*|secret\w*|clandestin\w*|smuggl\w*|to mask|disguis\w*)\b")

# --- Roles of a named party ---
# Words just before a name ("turning to North Korea", "purchases from Iran", "to Russia").
ROLE_BEFORE: list[tuple[re.Pattern, str]] = [
    (_compile(r"\b(turn|turns|turned|turning)\s+to\s+(the\s+)?$"), "supplier"),
    # "used by Russia": the user has it, so it was supplied to them.
    (_compile(r"\bused\s+by\s+(the\s+)?$"), "recipient"),
    (_compile(r"\b(from|by)\s+(the\s+)?$"), "supplier"),
    (_compile(r"\b(to|aid|aiding|arm|arming|for|providing|supplying|supplied|provided|equipping|into|sold)\s+"
              r"(the\s+)?$"),
     "recipient"),
    # A place, a target or a theatre, not a party: "the war in Ukraine", "attacks on Ukrainian ...".
    (_compile(r"\b(in|on|against|across|over|inside|within|at)\s+(the\s+)?$"), "location"),
]
# A verb after a name, within the clause ("Moscow was seeking to purchase", "Iran ... has sent").
SUPPLIER_VERB = _compile(
    r"\b(funnel\w*|ship(s|ped|ping)?|sell(s|ing)?|sold|provid\w*|suppl(y|ies|ied|ying)|sen[dt]s?|sending|"
    r"deliver\w*|transfer(s|red|ring)?|export(s|ed|ing)?|smuggl\w*|arm(s|ed|ing))\b(?!\s+control)"
)
RECIPIENT_VERB = _compile(
    r"\b(purchas\w*|buy(s|ing)?|bought|acquir\w*|import\w*|receiv\w*|obtain\w*|seek\w*|sought|order(s|ed|ing)?)\b"
)
# What stands between a subject and its verb: "Iran, the administration has said, has sent",
# "Ruritania has also covertly shipped".
AUXILIARIES = _compile(
    r"^\s*(,[^,]{0,40},\s*)?((has|have|had|is|are|was|were|be|been|also|covertly|secretly|reportedly|"
    r"allegedly|might|may|could|would|will)\s+)*"
)
# "Assad's primary military patron": the possessor is the one supplied.
PATRON_AFTER = _compile(r"^'s\s+(\w+\s+){0,3}(patron|supplier|backer|benefactor|arms supplier)\b")
# "North Korea and Iran": a name joined to the previous one shares its role.
COORDINATED = _compile(r"^\s*(,|and|or|,\s*and)\s*$")

# What a service works on, when a sentence names a service: "to train operatives on the drone
# systems", "maintenance of the aircraft".
SERVICE_OBJECT = _compile(r"\b(on|of|repair(ing)?|maintain(ing)?|servic(e|ing))\s+(the\s+)?$")

# --- Route and destination ---
ROUTE_BEFORE = _compile(
    r"\b(via|through|transit(ing)?|by way of|routed through|countries in|using countries in)\s+(the\s+)?"
    r"([\w.'-]+\s+(and|or)\s+(the\s+)?)?$"
)
DESTINATION_BEFORE = _compile(r"\b(to|into|in)\s+(the\s+)?$")

# --- Dates ---
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)
MONTH_CUE = _compile(r"\b(in|back in|since|during|early|late|mid-?)\s+(" + "|".join(MONTHS) + r")\b(?!\s+\d)")

# Capitalised words that are not names of parties (sentence openers, days, titles, institutions).
NOT_A_NAME = frozenset(
    {
        "the", "a", "an", "in", "on", "at", "back", "now", "that", "this", "these", "those", "it", "its", "he",
        "she", "they", "we", "our", "but", "and", "or", "although", "while", "as", "after", "before", "since",
        "president", "prime", "minister", "officials", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "researchers", "analysts", "mr", "mrs", "ms", "dr", "gen", "general", "here",
        "there", "according", "photos", "read", "how", "what", "why", "when", "who", "if", "some", "many",
        "both", "several", "state", "department", "ministry", "war", "army", "navy", "air", "force",
        *MONTHS,
    }
)
