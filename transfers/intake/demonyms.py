"""Demonyms and capitals by ISO 3166-1 alpha-3 code: English reference vocabulary, not facts.

Articles name States by adjective ("North Korean shells", "Russian operatives") and by capital
("Moscow denied", "Tehran has sent"). These words are language, true of every article, so they live
here as code rather than as State aliases in a fixture, where every fact must rest on a quote: a
curated alias records how *a source* names a State; this table records how English does. The
gazetteer uses an entry only for a State that exists in the database, and a curated alias always
wins over this table when both name the same words.

Forms are as the ISO short names' usual English adjectives; plurals of the "-an"/"-i" kind are
added by ``forms()``. Irregular nouns for people ("Britons", "the French") are listed explicitly.
"""

DEMONYMS: dict[str, tuple[str, ...]] = {
    "AFG": ("Afghan",),
    "ARE": ("Emirati",),
    "ARM": ("Armenian",),
    "AUS": ("Australian",),
    "AZE": ("Azerbaijani",),
    "BLR": ("Belarusian",),
    "BRA": ("Brazilian",),
    "CAN": ("Canadian",),
    "CHN": ("Chinese",),
    "CZE": ("Czech",),
    "DEU": ("German",),
    "EGY": ("Egyptian",),
    "ERI": ("Eritrean",),
    "ESP": ("Spanish",),
    "ETH": ("Ethiopian",),
    "FRA": ("French",),
    "GBR": ("British", "Britons"),
    "GEO": ("Georgian",),
    "IND": ("Indian",),
    "IRN": ("Iranian",),
    "IRQ": ("Iraqi",),
    "ISR": ("Israeli",),
    "ITA": ("Italian",),
    "JPN": ("Japanese",),
    "KAZ": ("Kazakh",),
    "KOR": ("South Korean",),
    "LBN": ("Lebanese",),
    "LBY": ("Libyan",),
    "MLI": ("Malian",),
    "MMR": ("Myanmar", "Burmese"),
    "NGA": ("Nigerian",),
    "NLD": ("Dutch",),
    "PAK": ("Pakistani",),
    "POL": ("Polish", "Poles"),
    "PRK": ("North Korean",),
    "QAT": ("Qatari",),
    "ROU": ("Romanian",),
    "RUS": ("Russian",),
    "SAU": ("Saudi",),
    "SDN": ("Sudanese",),
    "SRB": ("Serbian",),
    "SYR": ("Syrian",),
    "TUR": ("Turkish",),
    "TWN": ("Taiwanese",),
    "UKR": ("Ukrainian",),
    "USA": ("American",),
    "VEN": ("Venezuelan",),
    "VNM": ("Vietnamese",),
    "YEM": ("Yemeni",),
}

CAPITALS: dict[str, str] = {
    "AFG": "Kabul",
    "ARE": "Abu Dhabi",
    "ARM": "Yerevan",
    "AZE": "Baku",
    "BLR": "Minsk",
    "CHN": "Beijing",
    "DEU": "Berlin",
    "EGY": "Cairo",
    "FRA": "Paris",
    "GBR": "London",
    "IND": "New Delhi",
    "IRN": "Tehran",
    "IRQ": "Baghdad",
    "ISR": "Jerusalem",
    "JPN": "Tokyo",
    "KOR": "Seoul",
    "LBN": "Beirut",
    "LBY": "Tripoli",
    "PAK": "Islamabad",
    "PRK": "Pyongyang",
    "RUS": "Moscow",
    "SAU": "Riyadh",
    "SDN": "Khartoum",
    "SYR": "Damascus",
    "TUR": "Ankara",
    "UKR": "Kyiv",
    "USA": "Washington",
    "VEN": "Caracas",
    "YEM": "Sanaa",
}


def forms(iso3: str) -> list[str]:
    """Every English word for ``iso3`` this table knows: adjectives, their plurals, the capital."""
    words = []
    for demonym in DEMONYMS.get(iso3, ()):
        words.append(demonym)
        # "North Korean" -> "North Koreans", "Iraqi" -> "Iraqis"; "Chinese", "Dutch" have no plural.
        if demonym.endswith(("an", "i")):
            words.append(demonym + "s")
    if iso3 in CAPITALS:
        words.append(CAPITALS[iso3])
    return words
